import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Media } from '@mind/contracts';
import {
  buildAnswer,
  localDtlsRole,
  negotiatedParameters,
  payloadTypesFit,
  producerParameters,
  receiverCapabilities,
  type LineAnswer,
  type OfferedLine,
  type ParsedOffer,
} from '@mind/sdp';
import { targetOf, streamKey } from './labels';
import type { MixerUser } from './mixer/conference-mixer';
import { preferredSpatialLayer } from './layer-preferences';
import type { NotificationChannel } from './notification-channel';

/** What a session needs from the conference it belongs to. */
export interface SessionHost {
  router: types.Router;
  producerOf(key: string, kind: types.MediaKind): types.Producer | undefined;
  publish(key: string, producer: types.Producer): void;
  /** The mixed `conference` media this participant hears and sees. */
  conferenceProducer(kind: types.MediaKind, listenerId: string): Promise<types.Producer>;
  holdMixer(user: MixerUser): Promise<void>;
}

interface LineState {
  kind: OfferedLine['kind'];
  label: string | null;
  producer?: types.Producer;
  consumer?: types.Consumer;
}

export interface PeerSessionEvents {
  /** Presence or media flags changed. */
  state: [];
  /** The WebRTC session is gone (client left, connectivity lost, replaced or closed by the platform). */
  closed: [];
  /** Something the client asked for cannot be served (logged by the node). */
  unsupported: [reason: string];
  /** A text frame the client sent on its notification channel (quality reports). */
  frame: [text: string];
}

const NO_MEDIA: Media = { audio: false, video: false };

/**
 * One participant's WebRTC session on this node: one WebRtcTransport (ICE-lite, bundled), the
 * notification data channel, the producers of its `me#…` lines and the consumers of its
 * subscriptions. Each offer is applied as a whole and answered; close() cascades to everything.
 */
export class PeerSession extends EventEmitter<PeerSessionEvents> {
  readonly iceUfrag: string;
  private readonly lines = new Map<string, LineState>();
  private closed = false;
  private connected = false;
  private version = 0;

  constructor(
    readonly id: string,
    readonly participantId: string,
    private readonly host: SessionHost,
    readonly transport: types.WebRtcTransport,
    readonly channel: NotificationChannel,
    offer: ParsedOffer,
  ) {
    super();
    this.iceUfrag = offer.iceUfrag;
    transport.on('dtlsstatechange', (state) => {
      if (state === 'connected') this.setConnected(true);
      if (state === 'failed' || state === 'closed') this.close();
    });
    transport.on('icestatechange', (state) => {
      if (state === 'disconnected' || state === 'closed') this.close();
    });
    transport.on('sctpstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.close();
    });
    channel.on('open', () => this.emit('state'));
    channel.on('message', (text) => this.emit('frame', text));
  }

  /** Up once DTLS is connected and the notification channel is open. */
  get online(): boolean {
    return !this.closed && this.connected && this.channel.isOpen;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  media(source: 'primary' | 'secondary'): Media {
    if (!this.online) return NO_MEDIA;
    const sending = (kind: types.MediaKind) =>
      [...this.lines.values()].some(
        (l) => l.producer && !l.producer.closed && l.producer.kind === kind && l.label === `me#${source}`,
      );
    return { audio: sending('audio'), video: sending('video') };
  }

  /** Applies an offer on this session's transport and returns the answer. */
  async apply(offer: ParsedOffer): Promise<string> {
    if (this.version === 0) {
      await this.transport.connect({
        dtlsParameters: {
          role: localDtlsRole(offer) === 'client' ? 'server' : 'client',
          fingerprints: [
            {
              algorithm: offer.fingerprint.algorithm as types.FingerprintAlgorithm,
              value: offer.fingerprint.value,
            },
          ],
        },
      });
    }
    const answers: LineAnswer[] = [];
    for (const line of offer.lines) answers.push(await this.applyLine(line));
    this.version++;
    this.emit('state');
    return buildAnswer(
      offer,
      {
        iceParameters: this.transport.iceParameters,
        iceCandidates: this.transport.iceCandidates.map((c) => ({ ...c, address: c.address ?? c.ip })),
        fingerprints: this.transport.dtlsParameters.fingerprints,
        sctp: this.transport.sctpParameters
          ? {
              port: this.transport.sctpParameters.port,
              maxMessageSize: this.transport.sctpParameters.maxMessageSize,
            }
          : undefined,
      },
      answers,
      this.version,
    );
  }

  /** Closes the session and everything it owns (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const state of this.lines.values()) this.release(state);
    this.lines.clear();
    this.channel.close();
    this.transport.close();
    this.emit('closed');
  }

  private setConnected(connected: boolean) {
    this.connected = connected;
    this.emit('state');
  }

  private async applyLine(line: OfferedLine): Promise<LineAnswer> {
    if (line.kind === 'application') return { mode: 'datachannel' };
    const previous = this.lines.get(line.mid);
    const target = targetOf(line.label);

    if (line.direction === 'sendonly' && target.kind === 'own') {
      if (previous?.producer && !previous.producer.closed && previous.label === line.label) {
        return { mode: 'receive', parameters: previous.producer.rtpParameters };
      }
      this.releaseLine(line.mid);
      const parameters = producerParameters(line, this.host.router.rtpCapabilities);
      if (!parameters) return this.inactive(line);
      const producer = await this.transport.produce({ kind: line.kind, rtpParameters: parameters });
      this.lines.set(line.mid, { kind: line.kind, label: line.label, producer });
      this.host.publish(streamKey(this.participantId, target.source), producer);
      return { mode: 'receive', parameters };
    }

    if (line.direction === 'recvonly' && (target.kind === 'participant' || target.kind === 'conference')) {
      const producer =
        target.kind === 'participant'
          ? this.host.producerOf(streamKey(target.participantId, target.source), line.kind)
          : await this.host.conferenceProducer(line.kind, this.participantId).catch((error: Error) => {
              this.emit('unsupported', `no conference media: ${error.message}`);
              return undefined;
            });
      if (!producer || producer.closed) {
        this.releaseLine(line.mid);
        return this.inactive(line);
      }
      let consumer = previous?.consumer;
      if (!consumer || consumer.closed || consumer.producerId !== producer.id) {
        this.releaseLine(line.mid);
        const rtpCapabilities = receiverCapabilities(line, this.host.router.rtpCapabilities);
        if (!this.host.router.canConsume({ producerId: producer.id, rtpCapabilities }))
          return this.inactive(line);
        const created = await this.consume(producer, line, rtpCapabilities);
        if (!created) return this.inactive(line);
        consumer = created;
        this.lines.set(line.mid, { kind: line.kind, label: line.label, consumer });
        if (target.kind === 'conference') await this.host.holdMixer(consumer);
      }
      if (consumer.type === 'simulcast') {
        const layers = producer.rtpParameters.encodings?.length ?? 1;
        await consumer.setPreferredLayers({ spatialLayer: preferredSpatialLayer(line, layers) });
      }
      return {
        mode: 'send',
        parameters: consumer.rtpParameters,
        label: line.label ?? '-',
        trackId: consumer.id,
      };
    }

    // Inactive, unlabelled, or a direction the protocol never uses.
    this.releaseLine(line.mid);
    return this.inactive(line);
  }

  /**
   * A consumer whose payload types are the subscriber's own (see MEDIA_CODECS); without RTX when only
   * the retransmission payload type differs; none when the subscriber numbers the codec differently.
   */
  private async consume(
    producer: types.Producer,
    line: OfferedLine,
    rtpCapabilities: types.RtpCapabilities,
  ): Promise<types.Consumer | null> {
    const options = { producerId: producer.id, rtpCapabilities, mid: line.mid, paused: true };
    let consumer = await this.transport.consume(options);
    let fit = payloadTypesFit(consumer.rtpParameters, line);
    if (fit === 'without-rtx') {
      consumer.close();
      consumer = await this.transport.consume({ ...options, enableRtx: false });
      fit = payloadTypesFit(consumer.rtpParameters, line);
    }
    if (fit !== 'yes') {
      consumer.close();
      this.emit('unsupported', `subscriber numbers ${line.kind} codecs differently than this router`);
      return null;
    }
    await consumer.resume();
    return consumer;
  }

  private inactive(line: OfferedLine): LineAnswer {
    return { mode: 'inactive', parameters: negotiatedParameters(line, this.host.router.rtpCapabilities) };
  }

  private releaseLine(mid: string) {
    const state = this.lines.get(mid);
    if (!state) return;
    this.release(state);
    this.lines.delete(mid);
  }

  private release(state: LineState) {
    state.producer?.close();
    state.consumer?.close();
  }
}
