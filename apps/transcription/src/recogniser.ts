import type { Recognition, SpeechEngine } from '@mind/asr';

/**
 * One voice's recognition: the audio of an utterance as it is said (recognised as it comes), then
 * what was said once it ends.
 */
export interface RecognitionChannel {
  /** More of the utterance being said. */
  accept(samples: Int16Array): void;
  /** Ends the utterance: what was said in the audio accepted since the last finish. */
  finish(): Promise<Recognition>;
  close(): void;
}

/**
 * Where recognition runs. The service runs it on a thread of its own (`ThreadRecogniser`), so that
 * recognising an utterance (a second of CPU and more) never holds up the voices' packets; the engine
 * on the calling thread (`InlineRecogniser`) is what that thread runs, and what unit tests use.
 */
export interface Recogniser {
  readonly languages: readonly string[];
  /**
   * A channel that takes audio at once, while its model may still be loading (a voice's first words
   * come right after it is placed); throws `LanguageNotSupportedError` for a language without a model.
   */
  open(language: string): RecognitionChannel;
  close(): Promise<void>;
}

export class InlineRecogniser implements Recogniser {
  constructor(private readonly engine: SpeechEngine) {}

  get languages(): readonly string[] {
    return this.engine.languages;
  }

  open(language: string): RecognitionChannel {
    const stream = this.engine.open(language);
    return {
      accept: (samples) => stream.accept(samples),
      finish: async () => stream.finish(),
      close: () => stream.close(),
    };
  }

  async close(): Promise<void> {}
}
