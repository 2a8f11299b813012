import type { Recognition, SpeechEngine } from '@mind/asr';

/** One voice's recognition: an utterance's audio in, what was said out. */
export interface RecognitionChannel {
  recognise(samples: Int16Array): Promise<Recognition>;
  close(): void;
}

/**
 * Where recognition runs. The service runs it on a thread of its own (`ThreadRecogniser`), so that
 * recognising an utterance (a second of CPU and more) never holds up the voices' packets; the engine
 * on the calling thread (`InlineRecogniser`) is what that thread runs, and what unit tests use.
 */
export interface Recogniser {
  readonly languages: readonly string[];
  /** Throws `LanguageNotSupportedError` for a language without a model. */
  open(language: string): Promise<RecognitionChannel>;
  close(): Promise<void>;
}

export class InlineRecogniser implements Recogniser {
  constructor(private readonly engine: SpeechEngine) {}

  get languages(): readonly string[] {
    return this.engine.languages;
  }

  async open(language: string): Promise<RecognitionChannel> {
    const stream = this.engine.open(language);
    return {
      recognise: async (samples) => {
        stream.accept(samples);
        return stream.finish();
      },
      close: () => stream.close(),
    };
  }

  async close(): Promise<void> {}
}
