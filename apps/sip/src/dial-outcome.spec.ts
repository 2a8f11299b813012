import { dialStatus } from './dial-outcome';

describe('dialStatus: the final response of an INVITE as route 20 tells it', () => {
  it.each([
    [200, 'OK', null, 'answered'],
    [486, 'Busy Here', null, 'busy'],
    [600, 'Busy Everywhere', null, 'busy'],
    [603, 'Decline', null, 'declined'],
    [408, 'Request Timeout', null, 'timeout'],
    [480, 'Temporarily Unavailable', null, 'unavailable'],
    // The stack's own 503 (no reason) when the peer cannot be reached; a real 503 is an error.
    [503, '', null, 'unavailable'],
    [503, 'Service Unavailable', null, 'error'],
    [404, 'Not Found', null, 'error'],
    [403, 'Forbidden', null, 'error'],
    [487, 'Request Terminated', 'hung-up', 'interrupted'],
    [487, 'Request Terminated', 'ring-timeout', 'timeout'],
    // Answered after all: the call exists (the gateway ends it if it had given up).
    [200, 'OK', 'hung-up', 'answered'],
  ] as const)('%i %s (given up: %s) is %s', (status, reason, localEnd, expected) => {
    expect(dialStatus(status, reason, localEnd)).toBe(expected);
  });
});
