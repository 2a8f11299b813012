import type { types } from 'mediasoup';
import { entersMix, type ParticipantResource, type ResourceChange } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { activeTraceId } from '@mind/telemetry';
import type { PlacedVoice, TranscriberPool } from './transcriber-pool';

/** A failed placement is tried again this often (a transcriber may have started or freed room). */
const RETRY_MS = 2000;

/** What a room gives its transcription. */
export interface VoiceSources {
  router: types.Router;
  conferenceId: string;
  /** The primary audio a participant sends now (a paused producer sends nothing). */
  voiceOf(participantId: string): types.Producer | undefined;
}

/** Who the media node is: a transcriber ends the streams of a node that is gone. */
export interface TranscriptionServices {
  pool: TranscriberPool;
  nodeId: string;
  incarnation: string;
  /** The address the node sends RTP from. */
  listenIp: string;
  logger: Logger;
}

/** A voice on its way to a transcriber: RTP over a PlainTransport to the port it answered. */
interface VoiceLeg {
  producerId: string;
  transport: types.PlainTransport;
  voice: PlacedVoice;
}

/**
 * Which voices of a conference are transcribed, and their way to the transcribers. While live
 * transcription is started or the conference records, every participant whose voice enters the mix
 * (by role) and who sends it is transcribed; a voice whose transcriber is gone is placed on another.
 */
export class RoomTranscription {
  private readonly participants = new Map<string, ParticipantResource>();
  private readonly legs = new Map<string, VoiceLeg | 'placing'>();
  /** Why a participant's voice is not transcribed, by participant. */
  private readonly refusals = new Map<string, string>();
  private live = false;
  private recording = false;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly sources: VoiceSources,
    private readonly services: TranscriptionServices,
  ) {}

  setRoster(participants: ParticipantResource[], live: boolean): void {
    for (const participant of participants) this.participants.set(participant.id, participant);
    this.live = live;
    this.reconcile();
  }

  setRecording(recording: boolean): void {
    this.recording = recording;
    this.reconcile();
  }

  apply(change: ResourceChange): void {
    if (change.resource === 'transcription') this.live = change.transcription.started;
    else if (change.resource === 'participant' && change.type === 'deleted') {
      this.participants.delete(change.participantId);
    } else if (change.resource === 'participant') {
      this.participants.set(change.participant.id, change.participant);
    } else return;
    this.reconcile();
  }

  /** A producer came, went, paused or resumed. */
  sourcesChanged(): void {
    this.reconcile();
  }

  /** A transcriber is gone: its voices go to another. */
  transcriberGone(transcriberId: string, incarnation: string): void {
    for (const [participantId, leg] of this.legs) {
      if (leg === 'placing') continue;
      if (leg.voice.transcriberId !== transcriberId || leg.voice.incarnation !== incarnation) continue;
      leg.transport.close();
      this.legs.delete(participantId);
    }
    this.reconcile();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const participantId of [...this.legs.keys()]) this.end(participantId);
  }

  /** The voices that should be transcribed now: participant id → its producer. */
  private wanted(): Map<string, types.Producer> {
    const wanted = new Map<string, types.Producer>();
    if (!this.live && !this.recording) return wanted;
    for (const participant of this.participants.values()) {
      // Its producer is what counts: the `online` flag comes back from the conference service a
      // moment later, and the first words would be lost waiting for it.
      if (!entersMix(participant.role, 'primary')) continue;
      const producer = this.sources.voiceOf(participant.id);
      if (producer) wanted.set(participant.id, producer);
    }
    return wanted;
  }

  private reconcile() {
    if (this.closed) return;
    const wanted = this.wanted();
    for (const [participantId, leg] of this.legs) {
      if (leg === 'placing') continue;
      if (wanted.get(participantId)?.id !== leg.producerId) this.end(participantId);
    }
    for (const [participantId, producer] of wanted) {
      if (!this.legs.has(participantId)) void this.open(participantId, producer);
    }
  }

  private async open(participantId: string, producer: types.Producer) {
    const participant = this.participants.get(participantId);
    if (!participant) return;
    const { pool, nodeId, incarnation, logger, listenIp } = this.services;
    const context = { conferenceId: this.sources.conferenceId, participantId };
    const placing = performance.now();
    this.legs.set(participantId, 'placing');
    let leg: VoiceLeg | null = null;
    let transport: types.PlainTransport | undefined;
    let placedVoice: PlacedVoice | undefined;
    try {
      transport = await this.sources.router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: listenIp },
        rtcpMux: true,
        comedia: false,
      });
      const consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: this.sources.router.rtpCapabilities,
        paused: true,
      });
      const codec = consumer.rtpParameters.codecs[0];
      const placed = await pool.place({
        nodeId,
        incarnation,
        ...context,
        language: participant.language,
        codec: { payloadType: codec.payloadType, clockRate: codec.clockRate, channels: codec.channels ?? 1 },
        traceId: activeTraceId(),
      });
      if ('streamId' in placed) {
        placedVoice = placed;
        await transport.connect({ ip: placed.ip, port: placed.port });
        await consumer.resume();
        leg = { producerId: producer.id, voice: placed, transport };
      } else this.refused(participantId, placed.error);
    } catch (error) {
      if (placedVoice) pool.release(placedVoice);
      // A voice that went while it was being placed (its producer closed) is no failure.
      if (producer.closed) logger.debug({ err: error, ...context }, 'voice gone before it was placed');
      else logger.error({ err: error, ...context }, 'voice not sent to its transcriber');
    } finally {
      if (this.legs.get(participantId) === 'placing') this.legs.delete(participantId);
    }
    if (!leg || this.closed || this.wanted().get(participantId)?.id !== producer.id) {
      transport?.close();
      if (leg) pool.release(leg.voice);
      return this.closed ? undefined : leg ? this.reconcile() : this.retryLater();
    }
    this.refusals.delete(participantId);
    this.legs.set(participantId, leg);
    // How long a voice went unheard after it began: words said meanwhile are not transcribed.
    logger.info(
      {
        ...context,
        transcriberId: leg.voice.transcriberId,
        placedInMs: Math.round(performance.now() - placing),
      },
      'voice sent to its transcriber',
    );
  }

  /** A voice no transcriber took (no model for its language, none running, all full): said once, tried again. */
  private refused(participantId: string, reason: string) {
    if (this.refusals.get(participantId) === reason) return;
    this.refusals.set(participantId, reason);
    this.services.logger.warn(
      { conferenceId: this.sources.conferenceId, participantId, reason },
      'voice not transcribed',
    );
  }

  private end(participantId: string) {
    const leg = this.legs.get(participantId);
    if (!leg || leg === 'placing') return;
    this.legs.delete(participantId);
    leg.transport.close();
    this.services.pool.release(leg.voice);
  }

  private retryLater() {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.reconcile();
    }, RETRY_MS);
    this.retryTimer.unref();
  }
}
