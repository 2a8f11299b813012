import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { EVENT, eventStreamName, type ConferenceEvent, type ConferenceId } from '@mind/contracts';
import { loadConfig } from '@mind/config';
import { createLogger } from '@mind/logging';
import { isNoResponders, natsConnectionOptions, ProtocolBus } from './nats';

// The machine's NATS server with JetStream (deploy/nats-env.sh names it and its credentials).
const natsOptions = () => natsConnectionOptions(loadConfig().nats);

describe('ProtocolBus.append', () => {
  let nc: NatsConnection;
  const prefix = `specappend${randomBytes(4).toString('hex')}`;
  const bus = () => new ProtocolBus(nc, prefix, 2000, createLogger('spec', 'silent'));
  const conferenceId = randomUUID() as ConferenceId;
  const event = (seq: number): ConferenceEvent => ({
    kind: 'ended',
    reason: 'deleted',
    conferenceId,
    applicationId: randomUUID() as ConferenceEvent['applicationId'],
    actor: { kind: 'platform' },
    seq,
    at: Date.now(),
  });
  const stored = async () =>
    (await (await nc.jetstreamManager()).streams.info(eventStreamName(prefix))).state.messages;

  beforeAll(async () => {
    nc = await connect(natsOptions());
  });
  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(eventStreamName(prefix)).catch(() => undefined);
    await nc.close();
  });

  it('fails, saying so, while no stream keeps the events', async () => {
    const failure = await bus()
      .append(EVENT.conference, event(1), { msgId: `${prefix}-1` }, conferenceId)
      .catch((error: unknown) => error);
    expect(isNoResponders(failure)).toBe(true);
  });

  it('stores an event once per message id, with its headers', async () => {
    const events = bus();
    await events.ensureEventStream();
    const trace = {
      traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    };
    await events.append(EVENT.conference, event(1), { msgId: `${prefix}-1`, trace }, conferenceId);
    await events.append(EVENT.conference, event(1), { msgId: `${prefix}-1`, trace }, conferenceId);
    await events.append(EVENT.conference, event(2), { msgId: `${prefix}-2` }, conferenceId);
    expect(await stored()).toBe(2);
    const jsm = await nc.jetstreamManager();
    const first = await jsm.streams.getMessage(eventStreamName(prefix), { seq: 1 });
    expect(first.header.get('traceparent')).toBe(trace.traceparent);
    expect(first.header.get('Nats-Msg-Id')).toBe(`${prefix}-1`);
    expect((first.json() as ConferenceEvent).seq).toBe(1);
  });
});
