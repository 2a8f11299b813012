import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParticipantSession } from './participant-session';

/**
 * The session's offers against fakes of the browser's PeerConnection and `fetch`: which offers go out,
 * and when. (What the platform does with them is the e2e suites' business, with real browsers.)
 */
const OFFER = readFileSync(join(__dirname, '../../sdp/fixtures/chromium-datachannel-only.sdp'), 'utf8');

class FakeChannel extends EventTarget {
  close() {
    this.dispatchEvent(new Event('close'));
  }
}

class FakePeerConnection extends EventTarget {
  signalingState = 'stable';
  connectionState = 'new';
  localDescription: { type: string; sdp: string } | null = null;
  readonly channel = new FakeChannel();
  createDataChannel() {
    return this.channel;
  }
  async createOffer() {
    return { type: 'offer', sdp: OFFER };
  }
  async setLocalDescription(description: { type: string; sdp: string }) {
    this.localDescription = description;
  }
  async setRemoteDescription() {}
  close() {
    if (this.signalingState === 'closed') return;
    this.signalingState = 'closed';
    this.channel.close();
  }
}

/** Requests the session made, each answered when the test says. */
const requests: { url: string; body: string; answer: (status: number, body: unknown) => void }[] = [];

beforeAll(() => {
  Object.assign(globalThis, {
    RTCPeerConnection: FakePeerConnection,
    fetch: (url: string, init: { body: string }) =>
      new Promise((resolve) =>
        requests.push({
          url,
          body: init.body,
          answer: (status, body) =>
            resolve({ ok: status < 300, status, text: async () => JSON.stringify(body) }),
        }),
      ),
  });
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: 'Mozilla/5.0 Chrome/126.0.0.0 Safari/537.36' },
    configurable: true,
  });
});

const settled = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('ParticipantSession', () => {
  it('sends a new connection’s offer only once an offer still on its way for the last one is answered', async () => {
    const session = new ParticipantSession({
      baseUrl: 'http://platform.test',
      applicationId: 'a',
      conferenceId: 'c',
      token: 't',
    });
    // A join (a recovery's, say) whose offer is on its way when the application leaves and joins again.
    const first = session.join().catch((error: Error) => error.message);
    await settled();
    expect(requests).toHaveLength(1);
    session.leave();
    const second = session.join().catch((error: Error) => error.message);
    await settled();
    // Sent now, the new offer could reach the platform first, and the stale one replace its session.
    expect(requests).toHaveLength(1);
    requests[0]!.answer(503, { error: 'no media node' });
    await settled();
    expect(requests).toHaveLength(2);
    expect(await first).toMatch(/no media node|closed before opening/);
    session.leave();
    requests[1]!.answer(503, { error: 'no media node' });
    expect(await second).toMatch(/no media node|closed before opening/);
  });
});
