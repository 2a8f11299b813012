import { randomBytes } from 'node:crypto';
import { connect, headers, type NatsConnection } from 'nats';
import { loadConfig } from '@mind/config';
import { isNoResponders, natsConnectionOptions } from './nats';
import { ReplyInbox } from './reply-inbox';

// The machine's NATS server (deploy/nats-env.sh names it and its credentials, as for the services).
const natsOptions = () => natsConnectionOptions(loadConfig().nats);

describe('ReplyInbox', () => {
  let nc: NatsConnection;
  let inbox: ReplyInbox;
  const subject = `spec.reply-inbox.${randomBytes(4).toString('hex')}`;
  const text = (data: Uint8Array) => Buffer.from(data).toString();

  beforeAll(async () => {
    nc = await connect(natsOptions());
    inbox = new ReplyInbox(nc);
  });
  afterAll(() => nc.close());

  it('answers each request with its own reply, however the replies are ordered', async () => {
    const held: { respond(data: Uint8Array): boolean; data: Uint8Array }[] = [];
    const sub = nc.subscribe(`${subject}.echo`, {
      callback: (_error, msg) => {
        held.push(msg);
        // Answered in reverse, once all three are in.
        if (held.length === 3) for (const m of held.reverse()) m.respond(Buffer.from(`re ${text(m.data)}`));
      },
    });
    const replies = await Promise.all(
      ['a', 'b', 'c'].map((word) => inbox.request(`${subject}.echo`, Buffer.from(word), { timeoutMs: 2000 })),
    );
    expect(replies.map((reply) => text(reply.data))).toEqual(['re a', 're b', 're c']);
    sub.unsubscribe();
  });

  it('carries the headers it is given', async () => {
    const sub = nc.subscribe(`${subject}.headers`, {
      callback: (_error, msg) => msg.respond(Buffer.from(msg.headers?.get('traceparent') ?? 'none')),
    });
    const h = headers();
    h.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const reply = await inbox.request(`${subject}.headers`, Buffer.alloc(0), { timeoutMs: 2000, headers: h });
    expect(text(reply.data)).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    sub.unsubscribe();
  });

  it('fails at once with NoResponders when nobody serves the subject', async () => {
    const started = performance.now();
    const failure = await inbox
      .request(`${subject}.nobody`, Buffer.from('x'), { timeoutMs: 5000 })
      .catch((error: unknown) => error);
    expect(isNoResponders(failure)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('times out when the server never answers, and ignores the late reply', async () => {
    let late: (() => void) | undefined;
    const sub = nc.subscribe(`${subject}.slow`, {
      callback: (_error, msg) => (late = () => msg.respond(Buffer.from('late'))),
    });
    await expect(
      inbox.request(`${subject}.slow`, Buffer.from('x'), { timeoutMs: 100 }),
    ).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    late?.();
    // The next request gets its own reply, not the late one.
    sub.unsubscribe();
    const echo = nc.subscribe(`${subject}.next`, {
      callback: (_error, msg) => msg.respond(Buffer.from('next')),
    });
    expect(text((await inbox.request(`${subject}.next`, Buffer.alloc(0), { timeoutMs: 2000 })).data)).toBe(
      'next',
    );
    echo.unsubscribe();
  });

  it('fails its requests at once when the connection closes', async () => {
    const own = await connect(natsOptions());
    const ownInbox = new ReplyInbox(own);
    own.subscribe(`${subject}.never`, { callback: () => undefined });
    const started = performance.now();
    const pending = ownInbox.request(`${subject}.never`, Buffer.from('x'), { timeoutMs: 10_000 });
    await own.close();
    await expect(pending).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
