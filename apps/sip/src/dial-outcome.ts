import type { DialStatus } from '@mind/contracts';

/** Why a call ended before it was answered, from our side. */
export type LocalEnd = 'ring-timeout' | 'hung-up' | null;

/**
 * Route 20's `status` for the final response of an INVITE (the mapping the README documents):
 * 2xx answered; 486 and 600 busy; 603 declined; 408 timeout, and our own ring timeout; 480 and
 * an unreachable peer (the stack's made-up 503 without a reason) unavailable; 487 after a hang-up
 * interrupted; anything else error.
 */
export function dialStatus(status: number, reason: string, localEnd: LocalEnd): DialStatus {
  if (status >= 200 && status < 300) return 'answered';
  if (localEnd === 'hung-up') return 'interrupted';
  if (localEnd === 'ring-timeout') return 'timeout';
  switch (status) {
    case 486:
    case 600:
      return 'busy';
    case 603:
      return 'declined';
    case 408:
      return 'timeout';
    case 480:
      return 'unavailable';
    case 503:
      return reason === '' ? 'unavailable' : 'error';
    default:
      return 'error';
  }
}
