// An open-loop load generator: requests leave at a steady rate whatever the server does, and each
// latency counts from when its request was due. A closed-loop tool (autocannon, even with a rate, which
// it meets in bursts at the start of each second) waits for answers before asking again, so a stalled
// server sees fewer requests and its stall hides from the figures (coordinated omission).
//
// It speaks HTTP/1.1 on raw keep-alive sockets with a request built once, as autocannon does: Node's
// http client costs about 0.1 ms of CPU per request, which on a 2-core machine the server would miss.
// Responses must carry a Content-Length (Fastify's do); one request is in flight per connection.

import net from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');

/** The request's bytes, sent as they are for every request. */
function requestBytes(target) {
  const url = new URL(target.url);
  const body = target.body === undefined ? Buffer.alloc(0) : Buffer.from(target.body);
  const lines = [`${target.method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(target.headers ?? {})) lines.push(`${name}: ${value}`);
  if (body.length > 0 || target.method !== 'GET') lines.push(`content-length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]);
}

/** Status and total length of the first response in `buffer`, or undefined while it is incomplete. */
function parseResponse(buffer) {
  const end = buffer.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const head = buffer.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (!length) throw new Error(`a response without content-length: ${head.split('\r\n')[0]}`);
  const total = end + HEADER_END.length + Number(length[1]);
  return buffer.length >= total ? { status, total } : undefined;
}

/**
 * Sends `rate` requests per second for `seconds` over `connections` keep-alive connections (a request
 * due while all are busy waits for one, on the clock). Calls `onLatency(ms, dueMs)` for each 2xx (`dueMs`: from the start); answers the
 * counts.
 */
export function pacedRun(target, { rate, seconds, connections }, onLatency) {
  const { hostname, port } = new URL(target.url);
  const bytes = requestBytes(target);
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const counts = { sent: 0, answered: 0, ok: 0, non2xx: 0, errors: 0, elapsedMs: 0 };
  const waiting = []; // due times of requests no connection has taken yet
  const idle = [];
  const sockets = new Set();
  const start = performance.now();
  let finish;

  const settled = () => {
    if (counts.answered + counts.errors < total) return;
    counts.elapsedMs = performance.now() - start;
    for (const socket of sockets) socket.destroy();
    finish(counts);
  };

  const connect = () => {
    const socket = net.connect({ host: hostname, port: Number(port), noDelay: true });
    sockets.add(socket);
    let buffer = Buffer.alloc(0);
    let due; // of the request in flight on this socket
    const take = () => {
      if (waiting.length === 0) return idle.push(take);
      due = waiting.shift();
      socket.write(bytes);
    };
    socket.on('connect', take);
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const response = parseResponse(buffer);
      if (!response) return;
      buffer = buffer.subarray(response.total);
      counts.answered++;
      if (response.status >= 200 && response.status < 300) {
        counts.ok++;
        onLatency(performance.now() - due, due - start);
      } else counts.non2xx++;
      due = undefined;
      take();
      settled();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      const slot = idle.indexOf(take);
      if (slot >= 0) idle.splice(slot, 1);
      if (due !== undefined) {
        counts.errors++;
        settled();
      }
      // A refused or dropped connection is opened again, not at once: a server that is down is no loop.
      if (counts.answered + counts.errors < total) setTimeout(connect, 10);
    });
  };

  const tick = () => {
    const now = performance.now();
    while (counts.sent < total && start + counts.sent * interval <= now) {
      waiting.push(start + counts.sent * interval);
      counts.sent++;
      idle.shift()?.();
    }
    if (counts.sent < total) setTimeout(tick, Math.max(0, start + counts.sent * interval - now));
  };

  return new Promise((resolve) => {
    finish = resolve;
    for (let i = 0; i < connections; i++) connect();
    tick();
  });
}
