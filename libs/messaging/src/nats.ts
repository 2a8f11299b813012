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
import {
  EVENT,
  eventStreamName,
  subjectOf,
  wildcardOf,
  type AnyEvent,
  type AnyRpc,
  type KeyArgs,
  type PayloadOf,
  type ReplyOf,
  type RequestOf,
  type TraceId,
} from '@mind/contracts';
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

/** Handles one request: its reply (a thrown error is logged and answered with the RPC's `fault`). */
export type RpcHandler<R extends AnyRpc> = (request: RequestOf<R>, traceId: TraceId) => Promise<ReplyOf<R>>;

export interface Unsubscribable {
  unsubscribe(): void;
}

/**
 * The platform's internal protocol over NATS: the only way services talk to each other. Every method
 * takes a definition of `@mind/contracts`' protocol table, which fixes the subject and the payload
 * types at both ends; the trace id travels in a header so that both ends log it.
 */
export class ProtocolBus {
  constructor(
    readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Sends a request and waits for its reply (`timeoutMs` overrides the bus's default). */
  async call<R extends AnyRpc>(
    rpc: R,
    request: RequestOf<R>,
    context: { traceId: TraceId; timeoutMs?: number },
    ...key: KeyArgs<R>
  ): Promise<ReplyOf<R>> {
    const h = natsHeaders();
    h.set(TRACE_HEADER, context.traceId);
    const data = codec.encode(request);
    // Leave room for the subject and headers of the message.
    const room = (this.nc.info?.max_payload ?? Infinity) - 4096;
    if (data.length > room)
      throw new PayloadTooLargeError(`request of ${data.length} bytes, at most ${room}`);
    const msg = await this.nc.request(subjectOf(this.prefix, rpc, ...key), data, {
      timeout: context.timeoutMs ?? this.timeoutMs,
      headers: h,
    });
    return codec.decode(msg.data) as ReplyOf<R>;
  }

  /**
   * Serves requests in a queue group, so that several instances share them. A handler that throws gets
   * its error logged and the request answered with the RPC's `fault`; the subscription stays alive.
   */
  serve<R extends AnyRpc>(rpc: R, queue: string, handler: RpcHandler<R>, ...key: KeyArgs<R>): Unsubscribable {
    const sub = this.nc.subscribe(subjectOf(this.prefix, rpc, ...key), { queue });
    void (async () => {
      for await (const msg of sub) {
        const traceId = msg.headers?.get(TRACE_HEADER) || 'none';
        void (async () => {
          let reply: ReplyOf<R>;
          try {
            reply = await handler(codec.decode(msg.data) as RequestOf<R>, traceId);
          } catch (error) {
            this.logger.error({ err: error, traceId, subject: msg.subject }, 'request handler failed');
            reply = rpc.fault as ReplyOf<R>;
          }
          msg.respond(codec.encode(reply));
        })();
      }
    })();
    return sub;
  }

  /** Publishes a `broadcast` event: whoever listens now hears it. */
  broadcast<E extends AnyEvent>(event: E, payload: PayloadOf<E>, ...key: KeyArgs<E>): void {
    this.nc.publish(subjectOf(this.prefix, event, ...key), codec.encode(payload));
  }

  /** Listens to a `broadcast` event (every key of a keyed one). */
  listen<E extends AnyEvent>(event: E, onEvent: (payload: PayloadOf<E>) => void): Unsubscribable {
    const sub = this.nc.subscribe(wildcardOf(this.prefix, event));
    void (async () => {
      for await (const m of sub) onEvent(codec.decode(m.data) as PayloadOf<E>);
    })();
    return sub;
  }

  /** Creates (or updates) the JetStream stream that keeps the `stream` events. */
  async ensureEventStream(): Promise<void> {
    const subjects = Object.values(EVENT)
      .filter((event) => event.delivery === 'stream')
      .map((event) => wildcardOf(this.prefix, event));
    await ensureStream(this.nc, eventStreamName(this.prefix), subjects);
  }

  /** Appends a `stream` event; its message id makes a re-sent event (after a crash) stored only once. */
  async append<E extends AnyEvent>(event: E, payload: PayloadOf<E>, msgId: string, ...key: KeyArgs<E>) {
    await this.nc
      .jetstream()
      .publish(subjectOf(this.prefix, event, ...key), codec.encode(payload), { msgID: msgId });
  }

  /**
   * Follows a `stream` event from now on with an ordered push consumer: it survives reconnects without
   * losing or reordering messages and needs no durable state on the server. (The newer pull-based
   * `consume()` API hangs against nats-server 2.9, which Debian ships.)
   */
  async follow<E extends AnyEvent>(
    event: E,
    onEvent: (payload: PayloadOf<E>) => void,
  ): Promise<{ close(): Promise<void> }> {
    const options = consumerOpts();
    options.orderedConsumer();
    options.deliverNew();
    const sub = await this.nc.jetstream().subscribe(wildcardOf(this.prefix, event), options);
    void (async () => {
      for await (const m of sub) onEvent(codec.decode(m.data) as PayloadOf<E>);
    })();
    return { close: () => sub.drain() };
  }
}

async function ensureStream(nc: NatsConnection, name: string, subjects: string[]) {
  const jsm = await nc.jetstreamManager();
  const config = {
    name,
    subjects,
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
