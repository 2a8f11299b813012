import { BandFill } from './band-fill';
import { SAMPLE_RATE, type RecognisedWord, type RecognitionStream, type SpeechEngine } from './speech-engine';
import { VoiceActivity, type SpeechSpan, type VoiceActivityOptions } from './voice-activity';

/** A recognised utterance, its times in ms from the first sample of the stream. */
export interface Utterance {
  startMs: number;
  endMs: number;
  text: string;
  words: RecognisedWord[];
}

export interface StreamTranscriberOptions extends VoiceActivityOptions {
  /** The audio is narrowband (a telephone line upsampled to 16 kHz): fill the empty upper band. */
  narrowband?: boolean;
}

const msOf = (samples: number) => Math.round((samples * 1000) / SAMPLE_RATE);

/**
 * One speaker's audio to utterances: a voice activity detector cuts the stream into speech (with a
 * little padding), and only that reaches the recogniser, one utterance at a time.
 */
export class StreamTranscriber {
  private readonly activity: VoiceActivity;
  private readonly recognition: RecognitionStream;
  private readonly fill?: BandFill;

  constructor(engine: SpeechEngine, language: string, options: StreamTranscriberOptions = {}) {
    this.recognition = engine.open(language);
    this.activity = new VoiceActivity(options);
    if (options.narrowband) this.fill = new BandFill();
  }

  /** More audio (16 kHz mono); answers the utterances that ended in it. */
  accept(samples: Int16Array): Utterance[] {
    return this.recognise(this.activity.accept(samples));
  }

  /** The end of the stream: answers the utterance still open. */
  finish(): Utterance[] {
    return this.recognise(this.activity.flush());
  }

  close(): void {
    this.recognition.close();
  }

  private recognise(spans: SpeechSpan[]): Utterance[] {
    const utterances: Utterance[] = [];
    for (const { startSample, samples, speechStart, speechEnd } of spans) {
      this.recognition.accept(this.fill ? this.fill.apply(samples) : samples);
      const { text, words } = this.recognition.finish();
      if (!text) continue;
      // Word times are within the padded audio the recogniser heard; a word may reach into the padding.
      const offset = msOf(startSample);
      const timed = words.map((w) => ({ ...w, startMs: w.startMs + offset, endMs: w.endMs + offset }));
      utterances.push({
        startMs: Math.min(msOf(speechStart), ...timed.map((w) => w.startMs)),
        endMs: Math.max(msOf(speechEnd), ...timed.map((w) => w.endMs)),
        text,
        words: timed,
      });
    }
    return utterances;
  }
}
