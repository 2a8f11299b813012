/** Audio the engines take: 16 kHz mono, signed 16-bit samples. */
export const SAMPLE_RATE = 16_000;

/** A recognised word and when it was said, in ms from the start of its utterance's audio. */
export interface RecognisedWord {
  word: string;
  startMs: number;
  endMs: number;
}

export interface Recognition {
  text: string;
  /** Empty when the engine gives no word times. */
  words: RecognisedWord[];
}

/** One speaker's recognition, one utterance at a time: samples in, partial results, a final result. */
export interface RecognitionStream {
  /** More of the current utterance (16 kHz mono). */
  accept(samples: Int16Array): void;
  /** What the engine has recognised of the current utterance so far. */
  partial(): string;
  /** Ends the current utterance and recognises it; the next `accept` begins another. */
  finish(): Recognition;
  /** Frees the engine's resources for this stream. */
  close(): void;
}

/** A speech recognition engine, chosen by configuration. */
export interface SpeechEngine {
  readonly name: string;
  /** The languages it has a model for (a participant's `language`). */
  readonly languages: readonly string[];
  /** A stream for one speaker; `LanguageNotSupportedError` when it has no model for the language. */
  open(language: string): RecognitionStream;
}

export class LanguageNotSupportedError extends Error {
  constructor(
    readonly engine: string,
    readonly language: string,
  ) {
    super(`the ${engine} engine has no model for the language "${language}"`);
  }
}

/** The engine's model files are not where the configuration says. */
export class ModelMissingError extends Error {}
