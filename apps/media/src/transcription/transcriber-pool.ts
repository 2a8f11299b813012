import {
  RPC,
  type Language,
  type TranscribeReply,
  type TranscribeRequest,
  type TranscriberHeartbeat,
  type VoiceStreamId,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { liveTranscribers, type Live, type LivePeers, type ProtocolBus } from '@mind/messaging';

/** A voice placed on a transcriber: where its RTP goes. */
export interface PlacedVoice {
  transcriberId: string;
  incarnation: string;
  streamId: VoiceStreamId;
  ip: string;
  port: number;
}

export type PlacementFailure = { status: 422 | 503; error: string };

/**
 * The transcribers alive now (their heartbeats) and the placing of voices on them: the least loaded
 * one with a model for the voice's language, the next if it refuses (full, or failing).
 */
export class TranscriberPool {
  private readonly transcribers: LivePeers<TranscriberHeartbeat>;

  constructor(
    private readonly bus: ProtocolBus,
    logger: Logger,
  ) {
    this.transcribers = liveTranscribers(bus, logger);
  }

  start(): void {
    this.transcribers.start();
  }

  stop(): void {
    this.transcribers.stop();
  }

  onGone(listener: (transcriberId: string, incarnation: string) => void): void {
    this.transcribers.onGone((peer) => listener(peer.transcriberId, peer.incarnation));
  }

  isAlive(transcriberId: string, incarnation: string): boolean {
    return this.transcribers.get(transcriberId)?.incarnation === incarnation;
  }

  /** Whether some transcriber alive now has a model for the language. */
  speaks(language: Language): boolean {
    return this.transcribers.all().some((peer) => peer.languages.includes(language));
  }

  /** Places a voice; a transcriber that refuses or fails is skipped for the next one. */
  async place(request: TranscribeRequest): Promise<PlacedVoice | PlacementFailure> {
    const tried = new Set<string>();
    let failure: PlacementFailure = {
      status: 503,
      error: `no transcriber with a model for "${request.language}" is running`,
    };
    for (;;) {
      const candidate = this.leastLoaded(request.language, tried);
      if (!candidate) return failure;
      tried.add(candidate.transcriberId);
      const reply: TranscribeReply = await this.bus
        .call(RPC.transcribe, request, {}, candidate.transcriberId)
        .catch((error: Error) => ({ status: 503 as const, error: error.message }));
      if (reply.status === 200) {
        const { streamId, ip, port } = reply;
        return {
          transcriberId: candidate.transcriberId,
          incarnation: candidate.incarnation,
          streamId,
          ip,
          port,
        };
      }
      failure = reply;
    }
  }

  /** Ends a voice on its transcriber (which finishes its last utterance); a transcriber gone has ended it. */
  release(voice: PlacedVoice): void {
    if (!this.isAlive(voice.transcriberId, voice.incarnation)) return;
    void this.bus
      .call(RPC.stopTranscribing, { streamId: voice.streamId }, {}, voice.transcriberId)
      .catch(() => undefined);
  }

  private leastLoaded(language: Language, skip: Set<string>): Live<TranscriberHeartbeat> | null {
    const load = (peer: Live<TranscriberHeartbeat>) => peer.load.streams / Math.max(1, peer.load.capacity);
    const candidates = this.transcribers
      .all()
      .filter((peer) => !skip.has(peer.transcriberId) && peer.languages.includes(language) && load(peer) < 1);
    candidates.sort((a, b) => load(a) - load(b));
    return candidates[0] ?? null;
  }
}
