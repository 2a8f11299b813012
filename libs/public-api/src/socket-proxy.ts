import type { IncomingMessage, Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { traceIdFrom, type Logger } from '@mind/logging';

const SOCKET_PATH = /^\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/?(\?.*)?$/i;

function refuse(socket: Duplex, status: number, reason: string) {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Hands application WebSocket upgrades (`GET /{app}/{conf}` with `Upgrade: websocket`) to the notifier
 * as raw bytes, so the API and its sockets share one public address while the notifier scales apart.
 * The notifier has `handshakeTimeoutMs` to answer the upgrade; an upgraded socket may then stay quiet
 * as long as it likes (the notifier pings it).
 */
export function proxyApplicationSockets(
  server: Server,
  notifierUrl: string,
  handshakeTimeoutMs: number,
  logger: Logger,
) {
  const target = new URL(notifierUrl);
  const port = Number(target.port || 80);
  server.on('upgrade', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    if (!SOCKET_PATH.test(request.url ?? '') || request.headers.upgrade?.toLowerCase() !== 'websocket') {
      return refuse(client, 404, 'Not Found');
    }
    const traceId = traceIdFrom(request.headers);
    // An HTTP server's sockets are net.Sockets; the idle timeout is the notifier's business from here.
    (client as Socket).setTimeout(0);
    const upstream: Socket = connect(port, target.hostname, () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) {
        lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      }
      lines.push(`X-Forwarded-For: ${request.socket.remoteAddress ?? ''}`, `X-Request-Id: ${traceId}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.setTimeout(handshakeTimeoutMs, () => {
      logger.warn({ traceId }, 'notifier did not answer an application socket upgrade in time');
      upstream.destroy();
      refuse(client, 504, 'Gateway Timeout');
    });
    upstream.once('data', () => upstream.setTimeout(0));
    upstream.on('error', (error) => {
      logger.warn({ err: error, traceId }, 'notifier unreachable for an application socket');
      if (!upstream.readyState || upstream.readyState === 'opening')
        refuse(client, 503, 'Service Unavailable');
      else close();
    });
    client.on('error', close);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
}
