import { parseSipAddress, sipConnectUrl } from './sip-address';

describe('parseSipAddress', () => {
  it.each([
    ['sip:janedoe@example.com:5060', { scheme: 'sip', user: 'janedoe', host: 'example.com', port: 5060 }],
    [
      'Jane Doe <sip:janedoe@example.com:5060>',
      { displayName: 'Jane Doe', scheme: 'sip', user: 'janedoe', host: 'example.com', port: 5060 },
    ],
    [
      '"Doe, \\"J\\"" <sips:j@example.com>',
      { displayName: 'Doe, "J"', scheme: 'sips', user: 'j', host: 'example.com' },
    ],
    ['sip:example.com:5060', { scheme: 'sip', host: 'example.com', port: 5060 }],
    [
      'sip:+15551234@[2001:db8::1]:5070;transport=tcp',
      { scheme: 'sip', user: '+15551234', host: '2001:db8::1', port: 5070 },
    ],
    ['<sip:bob@192.0.2.7>', { scheme: 'sip', user: 'bob', host: '192.0.2.7' }],
  ])('reads %s', (value, expected) => {
    const parsed = parseSipAddress(value);
    expect(parsed.ok && parsed.address).toMatchObject(expected);
  });

  it.each([
    ['sip:bob@example.com\r\nVia: SIP/2.0/UDP evil', /control characters/],
    ['Bob\n <sip:bob@example.com>', /control characters/],
    ['sip:bob@example.com?Subject=hi', /URI headers/],
    ['<sip:bob@example.com?Call-Info=x>', /URI headers/],
    ['http://example.com', /not a SIP URI/],
    ['tel:+15551234', /not a SIP URI/],
    ['sip:bob@', /not a SIP URI/],
    ['sip:bob@exa_mple.com', /invalid host/],
    ['sip:bob@[::zz]', /not a SIP URI|invalid host/],
    ['sip:bob@example.com:99999', /invalid port/],
    ['sip:bob@example.com:0', /invalid port/],
    ['Bob <sip:bob@example.com', /not a SIP address/],
  ])('refuses %j', (value, error) => {
    const parsed = parseSipAddress(value);
    expect(parsed.ok ? 'accepted' : parsed.error).toMatch(error);
  });

  it('gives the outbound rules a URL of the host the platform would contact', () => {
    const parse = (value: string) => {
      const parsed = parseSipAddress(value);
      if (!parsed.ok) throw new Error(parsed.error);
      return sipConnectUrl(parsed.address);
    };
    expect(parse('Jane <sip:jane@127.0.0.1:5080>')).toBe('sip://127.0.0.1:5080');
    expect(parse('sips:[::1]')).toBe('sips://[::1]');
    expect(new URL(parse('sips:[::1]')).hostname).toBe('[::1]');
  });
});
