import WebSocket from 'ws';
import type { Notification } from '@mind/contracts';

/** An application WebSocket that records what it receives, for assertions. */
export class AppSocket {
  readonly received: Notification[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async open(
    baseUrl: string,
    applicationId: string,
    conferenceId: string,
    token: string,
    viaHeader = false,
  ) {
    const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/${applicationId}/${conferenceId}`;
    const ws = viaHeader
      ? new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } })
      : new WebSocket(`${wsUrl}?access_token=${encodeURIComponent(token)}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return new AppSocket(ws);
  }

  /** Status with which a socket opening is refused (e.g. 401), or 101 when it opens. */
  static async openStatus(baseUrl: string, applicationId: string, conferenceId: string, token?: string) {
    const query = token ? `?access_token=${encodeURIComponent(token)}` : '';
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/${applicationId}/${conferenceId}${query}`);
    return new Promise<number>((resolve) => {
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(0));
    });
  }

  /**
   * Waits for a notification matching `predicate` (already received or arriving within `timeoutMs`);
   * with `occurrence`, for the n-th one (a state that comes back).
   */
  async next(
    predicate: (n: Notification) => boolean,
    timeoutMs = 5000,
    occurrence = 1,
  ): Promise<Notification> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.filter(predicate)[occurrence - 1];
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching notification; received ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close() {
    this.ws.close();
  }
}
