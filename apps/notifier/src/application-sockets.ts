import type { IncomingMessage, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '@mind/config';
import {
  isUuid,
  notificationForApplication,
  EVENT,
  RPC,
  SocketCloseCode,
  type ConferenceEvent,
  type SocketAuthReply,
  type SocketOpened,
} from '@mind/contracts';
import { looksLikeToken, tokenDigest } from '@mind/auth';
import type { Logger } from '@mind/logging';
import { activeTraceId, extractTrace, inSpan } from '@mind/telemetry';
import { ProtocolBus, type Unsubscribable } from '@mind/messaging';
import { CONFIG, LOGGER } from '@mind/runtime';
import { SocketRegistry, type ApplicationSocket } from './socket-registry';

const SOCKET_PATH = /^\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/?$/i;
const PING_MS = 30_000;
const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

function refuse(socket: Duplex, status: number, error: string) {
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Application WebSockets: one per conference across all notifier instances (a newer one closes the
 * older with 4001, announced over NATS), fed with the notifications the application should get from
 * the domain events, and closed with 4000 when the conference ends. A socket whose reader falls more
 * than `maxBufferBytes` behind is closed with 4002 rather than buffered without end.
 */
@Injectable()
export class ApplicationSockets implements OnApplicationShutdown {
  private readonly registry = new SocketRegistry();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly maxBufferBytes: number;
  private pingTimer?: NodeJS.Timeout;
  private opened?: Unsubscribable;

  constructor(
    private readonly bus: ProtocolBus,
    @Inject(CONFIG) config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.maxBufferBytes = config.notifier.maxBufferBytes;
  }

  attach(server: Server) {
    server.on('upgrade', (request, socket, head) => {
      // Upgrades are not HTTP requests to the HTTP instrumentation: their span is made here.
      const header = (key: string) => request.headers[key] as string | undefined;
      const span = { role: 'server', parent: extractTrace(header) } as const;
      void inSpan('application socket upgrade', span, () => this.upgrade(request, socket, head));
    });
    this.opened = this.bus.listen(EVENT.socketOpened, (opened) => this.onSocketOpened(opened));
    this.pingTimer = setInterval(() => this.pingAll(), PING_MS);
  }

  onApplicationShutdown() {
    clearInterval(this.pingTimer);
    this.opened?.unsubscribe();
    for (const entry of this.registry.all()) entry.socket.terminate();
    this.wss.close();
  }

  get count() {
    return this.registry.size;
  }

  /** Delivers one domain event to the socket of its conference, if this instance holds it. */
  deliver(event: ConferenceEvent) {
    const entry = this.registry.get(event.conferenceId);
    if (!entry) return;
    if (event.kind === 'ended') {
      entry.socket.close(SocketCloseCode.conferenceEnded, 'conference ended');
      this.registry.remove(entry);
      return;
    }
    const notification = notificationForApplication(event);
    if (!notification) return;
    const data = JSON.stringify(notification);
    if (entry.socket.bufferedAmount + Buffer.byteLength(data) > this.maxBufferBytes) {
      // The close frame waits behind the unread bytes; `ws` destroys the socket if it is never read.
      this.registry.remove(entry);
      entry.socket.close(SocketCloseCode.tooSlow, 'too slow: notifications left unread');
      this.logger.warn(
        { conferenceId: entry.conferenceId, socketId: entry.id, unread: entry.socket.bufferedAmount },
        'application socket closed: its reader fell behind',
      );
      return;
    }
    entry.socket.send(data);
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://notifier');
    const match = SOCKET_PATH.exec(url.pathname);
    if (!match || !isUuid(match[1]) || !isUuid(match[2])) return refuse(socket, 404, 'not found');
    const [applicationId, conferenceId] = [match[1].toLowerCase(), match[2].toLowerCase()];
    const header = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const token = header?.[1] ?? url.searchParams.get('access_token');
    if (!token || !looksLikeToken(token)) return refuse(socket, 401, 'missing or invalid token');
    const traceId = activeTraceId();

    let auth: SocketAuthReply;
    try {
      auth = await this.bus.call(RPC.socketAuth, {
        applicationId,
        conferenceId,
        tokenDigest: tokenDigest(token),
        traceId,
      });
    } catch (error) {
      this.logger.error({ err: error, traceId }, 'socket authorisation failed');
      return refuse(socket, 503, 'service temporarily unavailable, please retry');
    }
    if (auth.status !== 200) return refuse(socket, auth.status, auth.error);

    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (auth.status === 200 && auth.ended) {
        ws.close(SocketCloseCode.conferenceEnded, 'conference ended');
        return;
      }
      this.accept({ id: randomUUID(), conferenceId, socket: ws }, traceId);
    });
  }

  private accept(entry: ApplicationSocket, traceId: string) {
    const previous = this.registry.add(entry);
    if (previous) previous.socket.close(SocketCloseCode.replaced, 'replaced by a newer socket');
    this.bus.broadcast(EVENT.socketOpened, { conferenceId: entry.conferenceId, socketId: entry.id });
    const ws: WebSocket & { alive?: boolean } = entry.socket;
    ws.alive = true;
    ws.on('pong', () => (ws.alive = true));
    ws.on('close', () => this.registry.remove(entry));
    ws.on('error', () => ws.terminate());
    this.logger.info(
      { traceId, conferenceId: entry.conferenceId, socketId: entry.id },
      'application socket open',
    );
  }

  private onSocketOpened(opened: SocketOpened) {
    const entry = this.registry.get(opened.conferenceId);
    if (entry && entry.id !== opened.socketId) {
      this.registry.remove(entry);
      entry.socket.close(SocketCloseCode.replaced, 'replaced by a newer socket');
    }
  }

  private pingAll() {
    for (const entry of this.registry.all()) {
      const ws: WebSocket & { alive?: boolean } = entry.socket;
      if (ws.alive === false) {
        ws.terminate();
        continue;
      }
      ws.alive = false;
      ws.ping();
    }
  }
}
