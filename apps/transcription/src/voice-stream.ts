import { createSocket, type Socket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  OpusDecoder,
  OpusError,
  SAMPLE_RATE,
  StreamTranscriber,
  type SpeechEngine,
  type Utterance,
} from '@mind/asr';
import type { TranscribeRequest, UtteranceReport, VoiceStreamId } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { parseRtp, sequenceDistance, timestampDistance, type RtpPacket } from '@mind/rtp';

/** Lost audio up to this long is concealed (libopus); a longer gap (a paused producer) starts a new stretch. */
const MAX_CONCEALED_MS = 120;

/** Where a stretch of continuous audio began: its first sample in the stream and when it was heard. */
interface Stretch {
  sample: number;
  heardAt: number;
}

/**
 * One participant's voice: Opus over RTP on a UDP port of its own, decoded to 16 kHz and cut into
 * utterances, each reported with the wall-clock times it was spoken at. Stretches of audio separated
 * by a pause of the producer are not joined by silence: the utterance open at the pause is finished.
 */
export class VoiceStream {
  readonly id: VoiceStreamId = randomUUID();
  private readonly decoder = new OpusDecoder();
  private readonly transcriber: StreamTranscriber;
  private readonly stretches: Stretch[] = [];
  private last: { sequence: number; timestamp: number; ssrc: number } | null = null;
  private samples = 0;
  /** The duration of the last packet's audio. */
  private frameMs = 20;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly request: TranscribeRequest,
    engine: SpeechEngine,
    private readonly report: (utterance: UtteranceReport) => void,
    private readonly logger: Logger,
  ) {
    this.transcriber = new StreamTranscriber(engine, request.language);
    socket.on('message', (packet) => this.receive(packet));
  }

  /** Opens the port the media node sends to; throws `LanguageNotSupportedError` without a model. */
  static async open(
    listenIp: string,
    request: TranscribeRequest,
    engine: SpeechEngine,
    report: (utterance: UtteranceReport) => void,
    logger: Logger,
  ): Promise<VoiceStream> {
    const socket = createSocket('udp4');
    try {
      socket.bind(0, listenIp);
      await once(socket, 'listening');
      return new VoiceStream(socket, request, engine, report, logger);
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  get port(): number {
    return this.socket.address().port;
  }

  get participantId(): string {
    return this.request.participantId;
  }

  /** Ends the stream: the utterance still open is finished and reported. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    this.deliver(this.transcriber.finish());
    this.transcriber.close();
    this.decoder.close();
  }

  private receive(data: Buffer) {
    if (this.closed) return;
    const rtp = parseRtp(data);
    if (!rtp || rtp.payloadType !== this.request.codec.payloadType) return;
    try {
      const audio = this.continue(rtp);
      if (audio) this.feed(audio);
    } catch (error) {
      if (!(error instanceof OpusError)) throw error;
      this.logger.debug({ err: error, streamId: this.id }, 'undecodable packet dropped');
    }
  }

  /** Conceals what was lost before the packet (or starts a stretch after a pause); null for a late or repeated packet. */
  private continue(rtp: RtpPacket): Int16Array | null {
    const last = this.last;
    const sameSource = last !== null && last.ssrc === rtp.ssrc;
    if (sameSource && sequenceDistance(last.sequence, rtp.sequence) <= 0) return null;
    const gapMs = sameSource
      ? (timestampDistance(last.timestamp, rtp.timestamp) * 1000) / this.request.codec.clockRate -
        this.frameMs
      : Infinity;
    if (gapMs > MAX_CONCEALED_MS) {
      // Heard now: recognising the utterance the pause ended takes a while.
      const heardAt = Date.now();
      if (this.stretches.length > 0) this.deliver(this.transcriber.finish());
      this.stretches.push({ sample: this.samples, heardAt });
    } else if (gapMs >= this.frameMs / 2) {
      this.feed(this.decoder.conceal(gapMs));
    }
    this.last = { sequence: rtp.sequence, timestamp: rtp.timestamp, ssrc: rtp.ssrc };
    const audio = this.decoder.decode(rtp.payload);
    this.frameMs = (audio.length * 1000) / SAMPLE_RATE;
    return audio;
  }

  private feed(audio: Int16Array) {
    this.samples += audio.length;
    this.deliver(this.transcriber.accept(audio));
  }

  private deliver(utterances: Utterance[]) {
    for (const utterance of utterances) {
      // The stretch it ends in; its padding may reach back across a pause, its start may not.
      const end = (utterance.endMs * SAMPLE_RATE) / 1000;
      const stretch = this.stretches.findLast((s) => s.sample < end) ?? this.stretches[0];
      const wallClock = (ms: number) => {
        const sample = Math.max(stretch.sample, (ms * SAMPLE_RATE) / 1000);
        return Math.round(stretch.heardAt + ((sample - stretch.sample) * 1000) / SAMPLE_RATE);
      };
      this.report({
        conferenceId: this.request.conferenceId,
        participantId: this.request.participantId,
        startedAt: wallClock(utterance.startMs),
        endedAt: wallClock(utterance.endMs),
        text: utterance.text,
      });
    }
  }
}
