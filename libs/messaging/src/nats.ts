import {
  connect,
  consumerOpts,
  headers as natsHeaders,
  ErrorCode,
  JSONCodec,
  NatsError,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type Msg,
  type MsgHdrs,
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
import { extractTrace, injectTrace, inSpan, meter, type TraceCarrier } from '@mind/telemetry';
import { ReplyInbox } from './reply-inbox';

const codec = JSONCodec();

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
    // Otherwise every request captures two stack traces in advance, for a timeout that rarely comes
    // (a tenth of the gateway's time under load); our errors name the subject that timed out.
    noAsyncTraces: true,
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

/** A request nobody serves now (a keyed subject whose holder does not exist, or no instance is up). */
export const isNoResponders = (error: unknown) =>
  error instanceof NatsError && error.code === ErrorCode.NoResponders;

/** A request larger than the NATS server takes in one message: the caller's input, not a fault. */
export class PayloadTooLargeError extends Error {}

/** Handles one request: its reply (a thrown error is logged and answered with the RPC's `fault`). */
export type RpcHandler<R extends AnyRpc> = (request: RequestOf<R>, traceId: TraceId) => Promise<ReplyOf<R>>;

export interface Unsubscribable {
  unsubscribe(): void;
}

/** The `status` of a reply that has one (most replies of the protocol do), for spans and metrics. */
const outcomeOf = (reply: unknown) =>
  typeof reply === 'object' && reply !== null && 'status' in reply ? String(reply.status) : 'ok';

/** NATS headers that carry the active trace context. */
function tracedHeaders(): MsgHdrs {
  const h = natsHeaders();
  injectTrace((key, value) => h.set(key, value));
  return h;
}

/** The trace context a message carries. */
const traceOf = (msg: { headers?: MsgHdrs }) => extractTrace((key) => msg.headers?.get(key) || undefined);

const messaging = (subject: string, operation: 'send' | 'process') => ({
  'messaging.system': 'nats',
  'messaging.destination.name': subject,
  'messaging.operation.type': operation,
});

/**
 * The platform's internal protocol over NATS: the only way services talk to each other. Every method
 * takes a definition of `@mind/contracts`' protocol table, which fixes the subject and the payload
 * types at both ends. Each request, reply and event handled is a span, and W3C trace context travels
 * in the message headers, so one API call is one trace across the services it reaches.
 */
export class ProtocolBus {
  private readonly clientDuration = meter().createHistogram('mind.rpc.client.duration', {
    unit: 's',
    description: 'Time from an internal request to its reply or failure, by subject and outcome',
  });
  private readonly serverDuration = meter().createHistogram('mind.rpc.server.duration', {
    unit: 's',
    description: 'Time an internal request took to handle, by subject and outcome',
  });
  private readonly replies: ReplyInbox;

  constructor(
    readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.replies = new ReplyInbox(nc);
  }

  /** Sends a request and waits for its reply (`timeoutMs` overrides the bus's default). */
  call<R extends AnyRpc>(
    rpc: R,
    request: RequestOf<R>,
    options: { timeoutMs?: number } = {},
    ...key: KeyArgs<R>
  ): Promise<ReplyOf<R>> {
    const subject = subjectOf(this.prefix, rpc, ...key);
    const started = performance.now();
    let outcome = 'failed';
    const attributes = messaging(subject, 'send');
    return inSpan(`${rpc.subject} call`, { role: 'client', attributes }, async (span) => {
      try {
        const data = codec.encode(request);
        // Leave room for the subject and headers of the message.
        const room = (this.nc.info?.max_payload ?? Infinity) - 4096;
        if (data.length > room) {
          throw new PayloadTooLargeError(`request of ${data.length} bytes, at most ${room}`);
        }
        const msg = await this.replies.request(subject, data, {
          timeoutMs: options.timeoutMs ?? this.timeoutMs,
          headers: tracedHeaders(),
        });
        const reply = codec.decode(msg.data) as ReplyOf<R>;
        outcome = outcomeOf(reply);
        span.setAttribute('mind.reply.status', outcome);
        return reply;
      } finally {
        const seconds = (performance.now() - started) / 1000;
        this.clientDuration.record(seconds, { subject: rpc.subject, outcome });
      }
    });
  }

  /**
   * Serves requests in a queue group, so that several instances share them. A handler that throws gets
   * its error logged and the request answered with the RPC's `fault`; the subscription stays alive.
   */
  serve<R extends AnyRpc>(rpc: R, queue: string, handler: RpcHandler<R>, ...key: KeyArgs<R>): Unsubscribable {
    const sub = this.nc.subscribe(subjectOf(this.prefix, rpc, ...key), { queue });
    void (async () => {
      for await (const msg of sub) void this.answer(rpc, msg, handler);
    })();
    return sub;
  }

  private answer<R extends AnyRpc>(rpc: R, msg: Msg, handler: RpcHandler<R>): Promise<void> {
    const started = performance.now();
    const options = {
      role: 'server',
      parent: traceOf(msg),
      attributes: messaging(msg.subject, 'process'),
    } as const;
    return inSpan(`${rpc.subject} serve`, options, async (span) => {
      const traceId = span.spanContext().traceId;
      let reply: ReplyOf<R>;
      try {
        reply = await handler(codec.decode(msg.data) as RequestOf<R>, traceId);
      } catch (error) {
        this.logger.error({ err: error, traceId, subject: msg.subject }, 'request handler failed');
        reply = rpc.fault as ReplyOf<R>;
      }
      const outcome = outcomeOf(reply);
      span.setAttribute('mind.reply.status', outcome);
      msg.respond(codec.encode(reply));
      this.serverDuration.record((performance.now() - started) / 1000, { subject: rpc.subject, outcome });
    });
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

  /**
   * Appends a `stream` event; its message id makes a re-sent event (after a crash) stored only once.
   * `trace` is the context of the work that caused it, which may be over by now (an outbox relays
   * events after their transaction).
   */
  async append<E extends AnyEvent>(
    event: E,
    payload: PayloadOf<E>,
    options: { msgId: string; trace?: TraceCarrier },
    ...key: KeyArgs<E>
  ): Promise<void> {
    const headers = natsHeaders();
    for (const [name, value] of Object.entries(options.trace ?? {})) headers.set(name, value);
    headers.set('Nats-Msg-Id', options.msgId);
    // A JetStream publish is a request that the stream answers: on the bus's inbox, not through the
    // JetStream client, whose request builds an error per call (bench/README.md: 6 % of a post's CPU).
    const msg = await this.replies.request(subjectOf(this.prefix, event, ...key), codec.encode(payload), {
      timeoutMs: this.timeoutMs,
      headers,
    });
    const ack = codec.decode(msg.data) as { stream?: string; error?: { description?: string } };
    if (ack.error || !ack.stream) {
      throw new Error(`JetStream did not store the event: ${ack.error?.description ?? 'no stream answered'}`);
    }
  }

  /**
   * Follows a `stream` event from now on with an ordered push consumer: it survives reconnects without
   * losing or reordering messages and needs no durable state on the server. (The newer pull-based
   * `consume()` API hangs against nats-server 2.9, which Debian ships.) Each event is handled in a
   * span of the trace that caused it.
   */
  async follow<E extends AnyEvent>(
    event: E,
    onEvent: (payload: PayloadOf<E>) => Promise<void> | void,
  ): Promise<{ close(): Promise<void> }> {
    const options = consumerOpts();
    options.orderedConsumer();
    options.deliverNew();
    const sub = await this.nc.jetstream().subscribe(wildcardOf(this.prefix, event), options);
    void (async () => {
      for await (const m of sub) {
        const span = {
          role: 'consumer',
          parent: traceOf(m),
          attributes: messaging(m.subject, 'process'),
        } as const;
        void inSpan(`${event.subject} follow`, span, async () =>
          onEvent(codec.decode(m.data) as PayloadOf<E>),
        ).catch((error) => this.logger.error({ err: error, subject: m.subject }, 'event handler failed'));
      }
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
