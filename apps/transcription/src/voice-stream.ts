import { createSocket, type Socket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  OpusDecoder,
  OpusError,
  SAMPLE_RATE,
  UtteranceFeed,
  VoiceActivity,
  type SpeechSpan,
} from '@mind/asr';
import type { TranscribeRequest, UtteranceReport, VoiceStreamId } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { meter } from '@mind/telemetry';
import { parseRtp, sequenceDistance, timestampDistance, type RtpPacket } from '@mind/rtp';
import type { RecognitionChannel, Recogniser } from './recogniser';

const recognition = {
  seconds: meter().createHistogram('mind.transcription.recognition.duration', {
    unit: 's',
    description: 'Time from the end of an utterance to its recognition (queueing for the engine included)',
  }),
  speech: meter().createCounter('mind.transcription.speech', {
    unit: 's',
    description: 'Seconds of speech recognised (with the duration histogram: the real-time factor)',
  }),
  utterances: meter().createCounter('mind.transcription.utterances', {
    description: 'Utterances recognised',
  }),
};

/** Lost audio up to this long is concealed (libopus); a longer gap (a paused producer) starts a new stretch. */
const MAX_CONCEALED_MS = 120;
/** The silence a pause stands for, to the detector: more than the 500 ms that end an utterance. */
const PAUSE_MS = 600;

/** Where a stretch of continuous audio began: its first sample in the stream and when it was heard. */
interface Stretch {
  sample: number;
  heardAt: number;
}

/**
 * One participant's voice: Opus over RTP on a UDP port of its own, decoded to 16 kHz and cut into
 * utterances by a voice activity detector (on this thread: cheap), each recognised by the recogniser
 * (its own thread) while it is said, and reported in order with the wall-clock times it was spoken
 * at. Stretches of audio separated by a pause of the producer are not joined by silence: the
 * utterance open at the pause is finished.
 */
export class VoiceStream {
  readonly id: VoiceStreamId = randomUUID();
  private readonly decoder = new OpusDecoder();
  /** Utterances, each recognised while it is said. */
  private readonly utterances: UtteranceFeed;
  /** Utterances being recognised, one after the other. */
  private recognising: Promise<void> = Promise.resolve();
  private readonly stretches: Stretch[] = [];
  private last: { sequence: number; timestamp: number; ssrc: number } | null = null;
  private samples = 0;
  /** The duration of the last packet's audio. */
  private frameMs = 20;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly request: TranscribeRequest,
    private readonly channel: RecognitionChannel,
    private readonly report: (utterance: UtteranceReport) => void,
    private readonly logger: Logger,
  ) {
    this.utterances = new UtteranceFeed(new VoiceActivity(), {
      accept: (samples) => channel.accept(samples),
      end: (span) => this.ended(span),
    });
    socket.on('message', (packet) => this.receive(packet));
  }

  /** Opens the port the media node sends to; throws `LanguageNotSupportedError` without a model. */
  static async open(
    listenIp: string,
    request: TranscribeRequest,
    recogniser: Recogniser,
    report: (utterance: UtteranceReport) => void,
    logger: Logger,
  ): Promise<VoiceStream> {
    const channel = recogniser.open(request.language);
    const socket = createSocket('udp4');
    try {
      socket.bind(0, listenIp);
      await once(socket, 'listening');
      return new VoiceStream(socket, request, channel, report, logger);
    } catch (error) {
      socket.close();
      channel.close();
      throw error;
    }
  }

  get port(): number {
    return this.socket.address().port;
  }

  get participantId(): string {
    return this.request.participantId;
  }

  /** Ends the stream: the utterance still open is finished; resolves once it is reported. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    this.utterances.flush();
    this.decoder.close();
    await this.recognising;
    this.channel.close();
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
      const heardAt = Date.now();
      // The pause ends what was being said: the detector hears enough silence to end the utterance.
      if (this.stretches.length > 0) this.feed(new Int16Array((PAUSE_MS * SAMPLE_RATE) / 1000));
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
    this.utterances.accept(audio);
  }

  /** Reports what was said in an utterance that ended (its audio all with the recogniser), in order. */
  private ended(span: SpeechSpan) {
    const times = this.wallClock(span);
    const ended = performance.now();
    // Asked now, before the next utterance's audio reaches the recogniser.
    const finished = this.channel.finish();
    this.recognising = this.recognising
      .then(() => finished)
      .then(({ text }) => {
        recognition.seconds.record((performance.now() - ended) / 1000);
        recognition.speech.add((span.speechEnd - span.speechStart) / SAMPLE_RATE);
        if (!text) return;
        recognition.utterances.add(1);
        this.report({
          conferenceId: this.request.conferenceId,
          participantId: this.request.participantId,
          ...times,
          text,
        });
      })
      .catch((error) => this.logger.error({ err: error, streamId: this.id }, 'utterance not recognised'));
  }

  /** When a span's speech was said: by the stretch it ends in (it may not begin before that stretch). */
  private wallClock(span: SpeechSpan): { startedAt: number; endedAt: number } {
    const stretch = this.stretches.findLast((s) => s.sample < span.speechEnd) ?? this.stretches[0];
    const at = (sample: number) =>
      Math.round(
        stretch.heardAt + ((Math.max(stretch.sample, sample) - stretch.sample) * 1000) / SAMPLE_RATE,
      );
    return { startedAt: at(span.speechStart), endedAt: at(span.speechEnd) };
  }
}
