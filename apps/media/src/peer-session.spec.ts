import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { ParsedOffer } from '@mind/sdp';
import type { NotificationChannel, NotificationChannelEvents } from './notification-channel';
import { PeerSession, type SessionHost } from './peer-session';

/**
 * A WebRtcTransport whose worker changes state before this process hears of it: its notifications
 * wait in the channel until `deliver()` or a stats request (whose answer follows them) flushes them.
 */
class LaggingTransport extends EventEmitter {
  worker = { iceState: 'new', dtlsState: 'new', sctpState: 'new' };
  sctpState = 'new';
  private pending: (() => void)[] = [];

  change(state: Partial<LaggingTransport['worker']>) {
    Object.assign(this.worker, state);
    if (state.iceState) this.pending.push(() => this.emit('icestatechange', state.iceState));
    if (state.dtlsState) this.pending.push(() => this.emit('dtlsstatechange', state.dtlsState));
    if (state.sctpState)
      this.pending.push(() => {
        this.sctpState = state.sctpState!;
        this.emit('sctpstatechange', state.sctpState);
      });
  }

  deliver() {
    for (const notify of this.pending.splice(0)) notify();
  }

  async getStats() {
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.deliver();
    return [{ ...this.worker }];
  }

  close() {}
}

class SctpChannel extends EventEmitter<NotificationChannelEvents> implements NotificationChannel {
  constructor(private readonly transport: LaggingTransport) {
    super();
    transport.on('sctpstatechange', (state) => state === 'connected' && this.emit('open'));
  }
  get isOpen() {
    return this.transport.sctpState === 'connected';
  }
  send() {}
  close() {}
}

function session() {
  const transport = new LaggingTransport();
  const peer = new PeerSession(
    'incarnation:u',
    'participant',
    {} as SessionHost,
    transport as unknown as types.WebRtcTransport,
    new SctpChannel(transport),
    { iceUfrag: 'u' } as ParsedOffer,
  );
  return { transport, peer };
}

const within = (ms: number, work: Promise<void>) =>
  Promise.race([
    work.then(() => 'resolved'),
    new Promise((resolve) => setTimeout(() => resolve('waiting'), ms)),
  ]);

describe('PeerSession.untilOnline', () => {
  it('is online at once when the worker is online but its news has not reached this process', async () => {
    const { transport, peer } = session();
    transport.change({ iceState: 'completed', dtlsState: 'connected', sctpState: 'connected' });
    expect(peer.online).toBe(false);
    await peer.untilOnline(2000);
    expect(peer.online).toBe(true);
  });

  it('waits for DTLS and SCTP once the client has reached the node (ICE)', async () => {
    const { transport, peer } = session();
    transport.change({ iceState: 'connected' });
    const online = peer.untilOnline(2000);
    expect(await within(50, online)).toBe('waiting');
    transport.change({ dtlsState: 'connected', sctpState: 'connected' });
    transport.deliver();
    expect(await within(50, online)).toBe('resolved');
    expect(peer.online).toBe(true);
  });

  it('does not wait for a client that has not reached the node', async () => {
    const { peer } = session();
    expect(await within(100, peer.untilOnline(2000))).toBe('resolved');
    expect(peer.online).toBe(false);
  });

  it('gives up after the timeout', async () => {
    const { transport, peer } = session();
    transport.change({ iceState: 'connected', dtlsState: 'connected' });
    const online = peer.untilOnline(100);
    expect(await within(50, online)).toBe('waiting');
    expect(await within(500, online)).toBe('resolved');
    expect(peer.online).toBe(false);
  });
});
