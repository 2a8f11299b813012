import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { protocolCard, withProtocolCard } from './protocol-card';
import { EVENT, QUEUE, RPC, SERVICE_NAMES, subjectOf, wildcardOf } from './protocol';

describe('the internal protocol table', () => {
  it('gives every subject a place under the prefix, keyed where it says so', () => {
    expect(subjectOf('mind', RPC.api, 'getConference')).toBe('mind.api.getConference');
    expect(subjectOf('mind', RPC.sessionOffer, 'node-a')).toBe('mind.media.node-a.session');
    expect(subjectOf('mind', RPC.presence)).toBe('mind.media.presence');
    expect(wildcardOf('mind', EVENT.conference)).toBe('mind.events.>');
    expect(wildcardOf('mind', RPC.sessionOffer)).toBe('mind.media.*.session');
  });

  it('has no subject twice, and only known services at either end', () => {
    const subjects = [...Object.values(RPC), ...Object.values(EVENT)].map((d) => d.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    const ends = [
      ...Object.values(RPC).flatMap((d) => [d.servedBy, ...d.calledBy]),
      ...Object.values(EVENT).flatMap((d) => [...d.emittedBy, ...d.followedBy]),
      ...Object.values(QUEUE).flatMap((d) => [...d.fedBy, ...d.workedBy]),
    ];
    expect(ends.filter((end) => !(SERVICE_NAMES as readonly string[]).includes(end))).toEqual([]);
  });

  it.each(SERVICE_NAMES)('is the protocol card of the %s README (npm run docs:protocol)', (service) => {
    const readme = readFileSync(join(__dirname, '../../../apps', service, 'README.md'), 'utf8');
    const card = protocolCard(service);
    expect(withProtocolCard(readme, card)).toBe(readme);
  });
});
