import { SAMPLE_RATE } from './speech-engine';
import type { SpeechSpan, VoiceActivity } from './voice-activity';

/** Where each utterance's audio goes while it is said, and where it ends. */
export interface UtteranceSink {
  /** More audio of the utterance being said. */
  accept(samples: Int16Array): void;
  /**
   * The utterance ended, all its audio accepted: `span` is where the detector heard its speech,
   * `audioStart` the stream index of the first sample accepted for it (word times count from there).
   */
  end(span: SpeechSpan, audioStart: number): void;
}

/**
 * Audio an utterance gets from before the detector was sure of speech: the detector's wait (250 ms),
 * the padding recognisers need (200 ms), and room.
 */
const LEAD_SAMPLES = (600 * SAMPLE_RATE) / 1000;

/**
 * A stream cut into utterances by a voice activity detector, each utterance's audio handed on while it
 * is said rather than once it has ended: a recogniser that follows it has little left to do when the
 * speaker stops (the silence that ends an utterance, half a second, is the rest of the wait).
 */
export class UtteranceFeed {
  /** Stream samples given to the detector so far. */
  private samples = 0;
  /** Where the audio handed on for the utterance being said ends (stream index); null between utterances. */
  private sentTo: number | null = null;
  private audioStart = 0;
  /** Where the last ended utterance's audio ended: the next one's begins after it. */
  private heardTo = 0;

  constructor(
    private readonly activity: VoiceActivity,
    private readonly sink: UtteranceSink,
  ) {}

  accept(audio: Int16Array): void {
    this.samples += audio.length;
    this.end(this.activity.accept(audio));
    if (this.activity.speaking()) {
      this.begin(this.samples - audio.length - LEAD_SAMPLES);
      this.send(this.samples);
    }
  }

  /** The end of the stream, or of a stretch of it: the utterance being said ends. */
  flush(): void {
    this.end(this.activity.flush());
  }

  private begin(from: number) {
    if (this.sentTo !== null) return;
    this.sentTo = this.audioStart = Math.max(this.heardTo, from, 0);
  }

  private send(to: number) {
    if (this.sentTo === null || to <= this.sentTo) return;
    this.sink.accept(this.activity.audio(this.sentTo, to));
    this.sentTo = to;
  }

  private end(spans: SpeechSpan[]) {
    for (const span of spans) {
      // A span that ended in the audio that showed it was never handed on as it came: all of it now.
      this.begin(span.startSample);
      this.send(span.startSample + span.samples.length);
      this.heardTo = this.sentTo!;
      this.sentTo = null;
      this.sink.end(span, this.audioStart);
    }
  }
}
