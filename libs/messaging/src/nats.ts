import {
  connect,
  consumerOpts,
  headers as natsHeaders,
  JSONCodec,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type NatsConnection,
} from 'nats';
import type { Logger } from '@mind/logging';

const codec = JSONCodec();
const TRACE_HEADER = 'Mind-Trace-Id';

/** Where NATS is and how to prove who we are to it (`Config['nats']`). */
export interface NatsSettings {
  servers: string[];
  user?: string;
  password?: string;
  tls?: { caFile: string; certFile: string; keyFile: string };
}

/** Connection options for NATS (the services', and tools' that talk to the same servers). */
export function natsConnectionOptions(settings: NatsSettings, name?: string): ConnectionOptions {
  const { caFile, certFile, keyFile } = settings.tls ?? {};
  return {
    servers: settings.servers,
    ...(name ? { name } : {}),
    ...(settings.user ? { user: settings.user, pass: settings.password } : {}),
    ...(settings.tls
      ? { tls: { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile, keyFile } : {}) } }
      : {}),
  };
}

export async function connectNats(
  settings: NatsSettings,
  name: string,
  logger: Logger,
): Promise<NatsConnection> {
  const nc = await connect({
    ...natsConnectionOptions(settings, name),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  void (async () => {
    for await (const status of nc.status())
      logger.info({ nats: status.type, data: String(status.data) }, 'nats status');
  })();
  return nc;
}

/** A request larger than the NATS server takes in one message: the caller's input, not a fault. */
export class PayloadTooLargeError extends Error {}

/** Request/reply with JSON payloads; the trace id travels in a header so both ends log it. */
export class RpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {}

  async request<TReply>(subject: string, payload: unknown, traceId: string): Promise<TReply> {
    const h = natsHeaders();
    h.set(TRACE_HEADER, traceId);
    const data = codec.encode(payload);
    // Leave room for the subject and headers of the message.
    const room = (this.nc.info?.max_payload ?? Infinity) - 4096;
    if (data.length > room)
      throw new PayloadTooLargeError(`request of ${data.length} bytes, at most ${room}`);
    const msg = await this.nc.request(subject, data, {
      timeout: this.timeoutMs,
      headers: h,
    });
    return codec.decode(msg.data) as TReply;
  }
}

export interface RpcHandler<TReq, TRes> {
  (payload: TReq, traceId: string): Promise<TRes>;
}

/**
 * Serves a request subject in a queue group, so several instances share the load. A handler that throws
 * gets its error logged and answered as a 500 reply; the subscription stays alive.
 */
export function serveRpc<TReq, TRes>(
  nc: NatsConnection,
  subject: string,
  queue: string,
  logger: Logger,
  handler: RpcHandler<TReq, TRes>,
  onFault: (error: unknown) => TRes,
) {
  const sub = nc.subscribe(subject, { queue });
  void (async () => {
    for await (const msg of sub) {
      const traceId = msg.headers?.get(TRACE_HEADER) || 'none';
      void (async () => {
        let reply: TRes;
        try {
          reply = await handler(codec.decode(msg.data) as TReq, traceId);
        } catch (error) {
          logger.error({ err: error, traceId, subject: msg.subject }, 'request handler failed');
          reply = onFault(error);
        }
        msg.respond(codec.encode(reply));
      })();
    }
  })();
  return sub;
}

/** Creates (or updates) the JetStream stream that keeps the platform's domain events. */
export async function ensureEventStream(nc: NatsConnection, name: string, subject: string) {
  const jsm = await nc.jetstreamManager();
  const config = {
    name,
    subjects: [subject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: 24 * 60 * 60 * 1e9,
    duplicate_window: 2 * 60 * 1e9,
  };
  try {
    await jsm.streams.info(name);
    await jsm.streams.update(name, config);
  } catch {
    await jsm.streams.add(config);
  }
}

/** Publishes with a message id so that a re-sent event (after a crash) is stored only once. */
export async function publishDurable(nc: NatsConnection, subject: string, payload: unknown, msgId: string) {
  await nc.jetstream().publish(subject, codec.encode(payload), { msgID: msgId });
}

/**
 * Follows the stream's subjects from now on with an ordered push consumer: it survives reconnects
 * without losing or reordering messages and needs no durable state on the server. (The newer
 * pull-based `consume()` API hangs against nats-server 2.9, which Debian ships.)
 */
export async function followStream<T>(
  nc: NatsConnection,
  filterSubject: string,
  onMessage: (payload: T, subject: string) => void,
): Promise<{ close(): Promise<void> }> {
  const options = consumerOpts();
  options.orderedConsumer();
  options.deliverNew();
  const sub = await nc.jetstream().subscribe(filterSubject, options);
  void (async () => {
    for await (const m of sub) onMessage(codec.decode(m.data) as T, m.subject);
  })();
  return { close: () => sub.drain() };
}

export function publishJson(nc: NatsConnection, subject: string, payload: unknown) {
  nc.publish(subject, codec.encode(payload));
}

export function subscribeJson<T>(nc: NatsConnection, subject: string, onMessage: (payload: T) => void) {
  const sub = nc.subscribe(subject);
  void (async () => {
    for await (const m of sub) onMessage(codec.decode(m.data) as T);
  })();
  return sub;
}
