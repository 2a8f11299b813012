import { isRefusedAddress } from './address-ranges';
import { OutboundPolicy } from './outbound-policy';

const STREAMING_PORTS = { rtmp: [1935], rtmps: [443, 1935] };

describe('outbound targets', () => {
  const policy = new OutboundPolicy({ allow: [], ports: STREAMING_PORTS });

  // The forms a probe got accepted by the streaming route: loopback, private and reserved addresses,
  // written in every way a resolver takes them.
  it.each([
    'rtmp://127.0.0.1:4222/x',
    'rtmp://127.0.0.1:6379/x',
    'rtmp://[::1]/x',
    'rtmp://localhost/x',
    'rtmp://2130706433/x',
    'rtmp://0x7f000001/x',
    'rtmp://0/x',
    'rtmp://127.1/x',
    'rtmp://10.1.2.3/x',
    'rtmp://172.20.0.1/x',
    'rtmp://192.168.1.1/x',
    'rtmp://169.254.169.254/x',
    'rtmp://100.64.0.1/x',
    'rtmp://224.0.0.1/x',
    'rtmp://255.255.255.255/x',
    'rtmp://[::ffff:127.0.0.1]/x',
    'rtmp://[::ffff:7f00:1]/x',
    'rtmp://[64:ff9b::a00:1]/x',
    'rtmp://[fe80::1]/x',
    'rtmp://[fd00::1]/x',
    'rtmp://[::]/x',
    'rtmps://[ff02::1]/x',
  ])('refuses %s', async (url) => {
    const checked = await policy.check(url);
    expect(checked).toMatchObject({ ok: false, error: expect.stringMatching(/private, local or reserved/) });
  });

  it.each([
    ['rtmp://8.8.8.8:99999/x', /not a valid URL/],
    ['rtmp://8.8.8.8:22/x', /port 22 is not allowed for rtmp/],
    ['rtmps://8.8.8.8:1936/x', /port 1936 is not allowed for rtmps/],
    ['http://8.8.8.8/x', /scheme http is not allowed/],
    ['rtmp://no-such-host.invalid/x', /cannot be resolved/],
  ])('refuses %s with a reason', async (url, reason) => {
    expect(await policy.check(url)).toMatchObject({ ok: false, error: expect.stringMatching(reason) });
  });

  it('takes a public destination on its scheme’s port, pinned to the address it checked', async () => {
    expect(await policy.check('rtmp://8.8.8.8/live/key')).toEqual({
      ok: true,
      target: {
        scheme: 'rtmp',
        host: '8.8.8.8',
        port: 1935,
        address: '8.8.8.8',
        pinnedUrl: 'rtmp://8.8.8.8:1935/live/key',
      },
    });
    expect(await policy.check('rtmps://[2001:4860:4860::8888]/app/key')).toMatchObject({
      ok: true,
      target: { port: 443, pinnedUrl: 'rtmps://[2001:4860:4860::8888]:443/app/key' },
    });
  });

  it('lets an operator allow networks and host names, on any port', async () => {
    const allowing = new OutboundPolicy({
      allow: ['127.0.0.0/8', 'localhost', '::1'],
      ports: STREAMING_PORTS,
    });
    expect(await allowing.check('rtmp://127.0.0.1:4222/x')).toMatchObject({ ok: true });
    expect(await allowing.check('rtmp://[::ffff:127.0.0.1]:9/x')).toMatchObject({ ok: true });
    expect(await allowing.check('rtmp://localhost:1/x')).toMatchObject({ ok: true });
    expect(await allowing.check('rtmp://[::1]:1/x')).toMatchObject({ ok: true });
    expect(await allowing.check('rtmp://10.0.0.1/x')).toMatchObject({ ok: false });
  });

  it('classifies addresses, IPv4 inside IPv6 included', () => {
    expect(isRefusedAddress('8.8.8.8')).toBe(false);
    expect(isRefusedAddress('2001:4860:4860::8888')).toBe(false);
    expect(isRefusedAddress('::ffff:8.8.8.8')).toBe(false);
    expect(isRefusedAddress('::ffff:10.0.0.1')).toBe(true);
    expect(isRefusedAddress('not an address')).toBe(true);
  });
});
