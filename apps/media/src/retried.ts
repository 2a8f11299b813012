import { setTimeout as sleep } from 'node:timers/promises';

/** When a failed call is tried again, and what is said about it. */
export interface RetryPolicy {
  /** True when the failure of try `attempt` (from 1) is final: its error is thrown. */
  giveUp(attempt: number): boolean;
  /** The pause after try `attempt` failed. */
  delayMs(attempt: number): number;
  onRetry(error: unknown, attempt: number): void;
}

/** Calls `call` until it succeeds or the policy gives up. */
export async function retried<T>(call: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (policy.giveUp(attempt)) throw error;
      policy.onRetry(error, attempt);
      await sleep(policy.delayMs(attempt));
    }
  }
}
