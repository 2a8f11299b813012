import { BandFill } from './band-fill';
import { SAMPLE_RATE, type RecognisedWord, type RecognitionStream, type SpeechEngine } from './speech-engine';
import { UtteranceFeed } from './utterance-feed';
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
 * One speaker's audio to utterances: a voice activity detector cuts the stream into speech, and only
 * that (with a little padding) reaches the recogniser, each utterance while it is said.
 */
export class StreamTranscriber {
  private readonly recognition: RecognitionStream;
  private readonly feed: UtteranceFeed;
  private readonly fill?: BandFill;
  private ended: Utterance[] = [];

  constructor(engine: SpeechEngine, language: string, options: StreamTranscriberOptions = {}) {
    this.recognition = engine.open(language);
    if (options.narrowband) this.fill = new BandFill();
    this.feed = new UtteranceFeed(new VoiceActivity(options), {
      accept: (samples) => this.recognition.accept(this.fill ? this.fill.apply(samples) : samples),
      end: (span, audioStart) => this.recognise(span, audioStart),
    });
  }

  /** More audio (16 kHz mono); answers the utterances that ended in it. */
  accept(samples: Int16Array): Utterance[] {
    this.feed.accept(samples);
    return this.take();
  }

  /** The end of the stream: answers the utterance still open. */
  finish(): Utterance[] {
    this.feed.flush();
    return this.take();
  }

  close(): void {
    this.recognition.close();
  }

  private take(): Utterance[] {
    const ended = this.ended;
    this.ended = [];
    return ended;
  }

  private recognise({ speechStart, speechEnd }: SpeechSpan, audioStart: number) {
    const { text, words } = this.recognition.finish();
    if (!text) return;
    // Word times count from the first sample the recogniser heard; a word may reach into the padding.
    const offset = msOf(audioStart);
    const timed = words.map((w) => ({ ...w, startMs: w.startMs + offset, endMs: w.endMs + offset }));
    this.ended.push({
      startMs: Math.min(msOf(speechStart), ...timed.map((w) => w.startMs)),
      endMs: Math.max(msOf(speechEnd), ...timed.map((w) => w.endMs)),
      text,
      words: timed,
    });
  }
}
