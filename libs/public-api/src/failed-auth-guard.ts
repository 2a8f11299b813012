import { EVENT } from '@mind/contracts';
import type { ProtocolBus, Unsubscribable } from '@mind/messaging';
import { subjectDigest, type RateLimiter } from './rate-limiter';

/** Blocked addresses kept at most (the oldest go first; a blocked attacker's next failure re-blocks). */
const MAX_BLOCKED = 10_000;

/**
 * Refuses everything from an address that keeps failing to authenticate, without a round trip to
 * Redis on every request: failures are counted in Redis (every gateway counts together), and the
 * gateway that sees an address go over the limit blocks it and tells the other gateways.
 */
export class FailedAuthGuard {
  /** Address digest → when its block ends (ms). */
  private readonly blocked = new Map<string, number>();
  private subscription?: Unsubscribable;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly bus: ProtocolBus,
    private readonly limit: number,
  ) {}

  start(): void {
    this.subscription = this.bus.listen(EVENT.addressBlocked, ({ address, seconds }) =>
      this.block(address, seconds),
    );
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  /** The seconds an address must still wait, or null when it is not blocked. */
  waitFor(ip: string): number | null {
    // The usual case, on every request: nothing is blocked, and nothing needs hashing.
    if (this.blocked.size === 0) return null;
    const address = subjectDigest(ip);
    const until = this.blocked.get(address);
    if (until === undefined) return null;
    const left = until - Date.now();
    if (left > 0) return Math.ceil(left / 1000);
    this.blocked.delete(address);
    return null;
  }

  /** Counts a failed authentication; the seconds to wait when that blocked the address, else null. */
  async failed(ip: string): Promise<number | null> {
    const wait = await this.limiter.hit([{ name: 'failed-auth-ip', subject: ip, limit: this.limit }]);
    if (wait) {
      const address = subjectDigest(ip);
      this.block(address, wait);
      this.bus.broadcast(EVENT.addressBlocked, { address, seconds: wait });
    }
    return wait;
  }

  private block(address: string, seconds: number) {
    this.blocked.delete(address);
    if (this.blocked.size >= MAX_BLOCKED) this.blocked.delete(this.blocked.keys().next().value!);
    this.blocked.set(address, Date.now() + seconds * 1000);
  }
}
