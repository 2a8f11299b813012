import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Media } from '@mind/contracts';
import {
  buildAnswer,
  localDtlsRole,
  negotiatedParameters,
  producerParameters,
  publishedParameters,
  receiverCapabilities,
  SdpError,
  type LineAnswer,
  type OfferedLine,
  type ParsedOffer,
  type PublishingPolicy,
} from '@mind/sdp';
import { targetOf, streamKey } from './labels';
import type { MixerUser } from './mixer/conference-mixer';
import { preferredSpatialLayer } from './layer-preferences';
import type { NotificationChannel } from './notification-channel';

/** What a session needs from the conference it belongs to. */
export interface SessionHost {
  router: types.Router;
  /** Which video codecs publishers may send. */
  publishing: PublishingPolicy;
  producerOf(key: string, kind: types.MediaKind): types.Producer | undefined;
  publish(key: string, producer: types.Producer): void;
  /** The mixed `conference` media this participant hears and sees, in a codec it decodes. */
  conferenceProducer(
    kind: types.MediaKind,
    listenerId: string,
    rtpCapabilities: types.RtpCapabilities,
  ): Promise<types.Producer>;
  holdMixer(user: MixerUser): Promise<void>;
}

interface LineState {
  kind: OfferedLine['kind'];
  label: string | null;
  producer?: types.Producer;
  consumer?: types.Consumer;
}

/**
 * How a session ended: its connection went away (the client left, or lost it and may come back with
 * a new session), a newer session of the same participant replaced it, or the platform ended it.
 */
export type SessionEnd = 'lost' | 'replaced' | 'ended';

export interface PeerSessionEvents {
  /** Presence or media flags changed. */
  state: [];
  /** The WebRTC session is gone. */
  closed: [end: SessionEnd];
  /** Something the client asked for cannot be served (logged by the node). */
  unsupported: [reason: string];
  /** A text frame the client sent on its notification channel (quality reports). */
  frame: [text: string];
}

const NO_MEDIA: Media = { audio: false, video: false };

/** m-lines 2 to 5 (mids 1 to 4) are where a participant publishes, whatever they carry now. */
const isPublishingLine = (line: OfferedLine) => line.index >= 1 && line.index <= 4;

/** mediasoup refusing what a client offered (its parameters) is the client's fault: a 400, not a 503. */
async function offered<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TypeError' || name === 'UnsupportedError') {
      throw new SdpError(`${what} cannot be used: ${(error as Error).message}`);
    }
    throw error;
  }
}

/** Whether a producer already receives what a line's new parameters describe. */
function sameProduction(current: types.RtpParameters, next: types.RtpParameters): boolean {
  const codec = (p: types.RtpParameters) => `${p.codecs[0]?.mimeType}/${p.codecs[0]?.payloadType}`;
  const encodings = (p: types.RtpParameters) =>
    JSON.stringify((p.encodings ?? []).map((e) => [e.rid, e.ssrc, e.scalabilityMode]));
  return codec(current) === codec(next) && encodings(current) === encodings(next);
}

/**
 * One participant's WebRTC session on this node: one WebRtcTransport (ICE-lite, bundled), the
 * notification data channel, the producers of its `me#…` lines and the consumers of its
 * subscriptions. Each offer is applied as a whole and answered; close() cascades to everything.
 */
export class PeerSession extends EventEmitter<PeerSessionEvents> {
  readonly iceUfrag: string;
  private readonly lines = new Map<string, LineState>();
  private end: SessionEnd | null = null;
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
      if (state === 'failed' || state === 'closed') this.close('lost');
    });
    transport.on('icestatechange', (state) => {
      if (state === 'disconnected' || state === 'closed') this.close('lost');
    });
    transport.on('sctpstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.close('lost');
    });
    channel.on('open', () => this.emit('state'));
    channel.on('message', (text) => this.emit('frame', text));
  }

  /** Up once DTLS is connected and the notification channel is open. */
  get online(): boolean {
    return !this.end && this.connected && this.channel.isOpen;
  }

  get isClosed(): boolean {
    return this.end !== null;
  }

  /** How the session ended, once it has. */
  get endedBy(): SessionEnd | null {
    return this.end;
  }

  /** How many offers this session has answered. */
  get offersAnswered(): number {
    return this.version;
  }

  /**
   * Resolves once the session is online, closed, or `timeoutMs` has passed; as soon as the worker says
   * its client has not even reached this node (ICE), as nothing is then about to come up.
   */
  async untilOnline(timeoutMs: number): Promise<void> {
    if (this.online || this.end) return;
    // The worker's state changes may still be on their way to this process (a busy machine): its
    // answer to a stats request follows them on the same channel, and says where the worker is.
    const [stats] = await this.transport.getStats().catch(() => []);
    const reached = stats?.iceState === 'connected' || stats?.iceState === 'completed';
    if (this.online || this.end || !reached) return;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.off('state', check);
        this.off('closed', done);
        resolve();
      };
      const check = () => this.online && done();
      const timer = setTimeout(done, timeoutMs);
      this.on('state', check);
      this.on('closed', done);
    });
  }

  media(source: 'primary' | 'secondary'): Media {
    if (!this.online) return NO_MEDIA;
    const sending = (kind: types.MediaKind) =>
      [...this.lines.values()].some(
        (l) =>
          l.producer &&
          !l.producer.closed &&
          !l.producer.paused &&
          l.producer.kind === kind &&
          l.label === `me#${source}`,
      );
    return { audio: sending('audio'), video: sending('video') };
  }

  /** Applies an offer on this session's transport and returns the answer. */
  async apply(offer: ParsedOffer): Promise<string> {
    if (this.version === 0) {
      await offered(
        'the DTLS fingerprint',
        this.transport.connect({
          dtlsParameters: {
            role: localDtlsRole(offer) === 'client' ? 'server' : 'client',
            fingerprints: [
              {
                algorithm: offer.fingerprint.algorithm as types.FingerprintAlgorithm,
                value: offer.fingerprint.value,
              },
            ],
          },
        }),
      );
    }
    this.releaseDisplacedProducers(offer);
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

  /** Closes the session and everything it owns (idempotent); the platform ends it unless told otherwise. */
  close(end: SessionEnd = 'ended'): void {
    if (this.end) return;
    this.end = end;
    for (const state of this.lines.values()) this.release(state);
    this.lines.clear();
    this.channel.close();
    this.transport.close();
    this.emit('closed', end);
  }

  private setConnected(connected: boolean) {
    this.connected = connected;
    this.emit('state');
  }

  private async applyLine(line: OfferedLine): Promise<LineAnswer> {
    if (line.kind === 'application') return { mode: 'datachannel' };
    const previous = this.lines.get(line.mid);
    const target = targetOf(line.label);

    // A participant publishes on mids 1 to 4 only: elsewhere `me#…` makes no producer.
    if (target.kind === 'own' && this.publishes(line)) {
      const kept = previous && this.keptProduction(line, previous);
      if (kept) {
        await kept.resume();
        return { mode: 'receive', parameters: kept.rtpParameters };
      }
      this.releaseLine(line.mid);
      const parameters = producerParameters(line, this.host.router.rtpCapabilities, this.host.publishing);
      if (!parameters) {
        this.emit('unsupported', `the client offers no ${line.kind} codec this node takes for publishing`);
        return this.inactive(line);
      }
      const producer = await offered(
        `m-line ${line.index}`,
        this.transport.produce({ kind: line.kind, rtpParameters: parameters }),
      );
      this.lines.set(line.mid, { kind: line.kind, label: line.label, producer });
      this.host.publish(streamKey(this.participantId, target.source), producer);
      return { mode: 'receive', parameters };
    }

    if (line.direction === 'recvonly' && (target.kind === 'participant' || target.kind === 'conference')) {
      const rtpCapabilities = receiverCapabilities(line, this.host.router.rtpCapabilities);
      const producer =
        target.kind === 'participant'
          ? this.host.producerOf(streamKey(target.participantId, target.source), line.kind)
          : await this.host
              .conferenceProducer(line.kind, this.participantId, rtpCapabilities)
              .catch((error: Error) => {
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
        if (!this.host.router.canConsume({ producerId: producer.id, rtpCapabilities })) {
          // Never send what the subscriber cannot decode (e.g. H264 to a Firefox without OpenH264).
          this.emit(
            'unsupported',
            `the subscriber cannot decode ${producer.rtpParameters.codecs[0]?.mimeType}`,
          );
          return this.inactive(line);
        }
        consumer = await this.consume(producer, line, rtpCapabilities);
        this.lines.set(line.mid, { kind: line.kind, label: line.label, consumer });
        if (target.kind === 'conference') await this.host.holdMixer(consumer);
      }
      // The subscriber's hints cap the layer it gets: a simulcast stream, or a spatial layer of SVC.
      if (consumer.type === 'simulcast' || consumer.type === 'svc') {
        const encodings = producer.rtpParameters.encodings ?? [];
        const layers =
          consumer.type === 'simulcast'
            ? encodings.length
            : Number(/^L(\d)/.exec(encodings[0]?.scalabilityMode ?? '')?.[1] ?? 1);
        await consumer.setPreferredLayers({ spatialLayer: preferredSpatialLayer(line, layers) });
      }
      return {
        mode: 'send',
        parameters: consumer.rtpParameters,
        label: line.label ?? '-',
        trackId: consumer.id,
      };
    }

    // A publishing line that stops sending keeps its producer, paused: the client sends on the same
    // SSRCs when it starts again, without the MID and RID extensions a new producer would need.
    if (previous?.producer && !previous.producer.closed && isPublishingLine(line)) {
      await previous.producer.pause();
      return this.inactive(line);
    }
    // Inactive, unlabelled, or a direction the protocol never uses.
    this.releaseLine(line.mid);
    return this.inactive(line);
  }

  /**
   * A consumer numbered as the subscriber numbers codecs and header extensions on its line (our
   * mediasoup build renumbers forwarded packets for it), started once created.
   */
  private async consume(
    producer: types.Producer,
    line: OfferedLine,
    rtpCapabilities: types.RtpCapabilities,
  ): Promise<types.Consumer> {
    const consumer = await offered(
      `m-line ${line.index}`,
      this.transport.consume({ producerId: producer.id, rtpCapabilities, mid: line.mid, paused: true }),
    );
    await consumer.resume();
    return consumer;
  }

  /** An inactive line keeps what it would carry negotiated (a publishing line: the policy's codec). */
  private inactive(line: OfferedLine): LineAnswer {
    const router = this.host.router.rtpCapabilities;
    return {
      mode: 'inactive',
      parameters: isPublishingLine(line)
        ? publishedParameters(line, router, this.host.publishing)
        : negotiatedParameters(line, router),
    };
  }

  /**
   * Closes, before anything is produced, the producers this offer does away with: those of lines it
   * no longer has, that publish something else now, or whose SSRCs another line sends. A stream that
   * moves to another line must find its SSRC free there.
   */
  private releaseDisplacedProducers(offer: ParsedOffer) {
    const senderOf = new Map<number, string>();
    for (const line of offer.lines) {
      if (line.direction !== 'sendonly') continue;
      for (const { ssrc, rtxSsrc } of line.encodings) {
        if (ssrc !== undefined) senderOf.set(ssrc, line.mid);
        if (rtxSsrc !== undefined) senderOf.set(rtxSsrc, line.mid);
      }
    }
    const inOffer = new Map(offer.lines.map((line) => [line.mid, line]));
    for (const [mid, state] of this.lines) {
      const producer = state.producer;
      if (!producer) continue;
      const line = inOffer.get(mid);
      const ssrcs = (producer.rtpParameters.encodings ?? []).flatMap((e) => [e.ssrc, e.rtx?.ssrc]);
      const displaced =
        !line ||
        (this.publishes(line) && !this.keptProduction(line, state)) ||
        ssrcs.some((ssrc) => ssrc !== undefined && (senderOf.get(ssrc) ?? mid) !== mid);
      if (displaced) this.releaseLine(mid);
    }
  }

  private publishes(line: OfferedLine): boolean {
    return line.direction === 'sendonly' && targetOf(line.label).kind === 'own' && isPublishingLine(line);
  }

  /** The producer a line keeps: it still publishes the same stream with the same parameters. */
  private keptProduction(line: OfferedLine, state: LineState): types.Producer | undefined {
    const producing = state.producer;
    if (!producing || producing.closed || state.label !== line.label || !this.publishes(line))
      return undefined;
    const parameters = producerParameters(line, this.host.router.rtpCapabilities, this.host.publishing);
    return parameters && sameProduction(producing.rtpParameters, parameters) ? producing : undefined;
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
