import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { NotificationChannel, NotificationChannelEvents } from './notification-channel';

/** Mind clients open their notification channel as negotiated SCTP stream 1 (no DCEP). */
const STREAM_ID = 1;
/** WebRTC string PPID (RFC 8831). */
const PPID_STRING = 51;

/**
 * The notification channel on a WebRtcTransport's SCTP association, stream 1 both ways. Incoming frames
 * are a DataProducer on stream 1, read through the room's DirectTransport; outgoing frames come from a
 * direct DataProducer consumed by the WebRtcTransport. mediasoup numbers the streams of consumers
 * itself, starting at 0, so a placeholder consumer takes stream 0 and is closed once stream 1 exists.
 */
export class SctpNotificationChannel
  extends EventEmitter<NotificationChannelEvents>
  implements NotificationChannel
{
  private closed = false;

  private constructor(
    private readonly transport: types.WebRtcTransport,
    private readonly outgoing: types.DataProducer,
    private readonly resources: { close(): void }[],
  ) {
    super();
    transport.on('sctpstatechange', (state) => {
      if (state === 'connected') this.emit('open');
    });
  }

  static async open(
    transport: types.WebRtcTransport,
    direct: types.DirectTransport,
  ): Promise<SctpNotificationChannel> {
    const fromClient = await transport.produceData({
      sctpStreamParameters: { streamId: STREAM_ID, ordered: true },
      label: '',
      protocol: '',
    });
    const reader = await direct.consumeData({ dataProducerId: fromClient.id });
    const outgoing = await direct.produceData({ label: '', protocol: '' });
    const placeholder = await transport.consumeData({ dataProducerId: outgoing.id });
    const toClient = await transport.consumeData({ dataProducerId: outgoing.id });
    placeholder.close();
    if (toClient.sctpStreamParameters?.streamId !== STREAM_ID) {
      for (const r of [fromClient, reader, outgoing, toClient]) r.close();
      throw new Error(
        `notification stream got id ${toClient.sctpStreamParameters?.streamId}, not ${STREAM_ID}`,
      );
    }
    const channel = new SctpNotificationChannel(transport, outgoing, [
      toClient,
      reader,
      fromClient,
      outgoing,
    ]);
    reader.on('message', (message) => channel.emit('message', message.toString('utf8')));
    return channel;
  }

  get isOpen(): boolean {
    return !this.closed && this.transport.sctpState === 'connected';
  }

  send(text: string): void {
    if (this.closed || this.outgoing.closed) return;
    this.outgoing.send(text, PPID_STRING);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const resource of this.resources) resource.close();
  }
}
