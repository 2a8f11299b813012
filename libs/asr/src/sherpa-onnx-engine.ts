import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OnlineRecognizer, type OnlineRecognizerConfig, type OnlineStream } from 'sherpa-onnx-node';
import {
  LanguageNotSupportedError,
  ModelMissingError,
  SAMPLE_RATE,
  type RecognisedWord,
  type Recognition,
  type RecognitionStream,
  type SpeechEngine,
} from './speech-engine';

const run = promisify(execFile);
/** Silence after an utterance, so that the model emits its last tokens. */
const TAIL_SECONDS = 0.4;

/**
 * The files of a streaming transducer model directory, as sherpa-onnx's releases lay them out
 * (`tokens.txt` and one `encoder*.onnx`, `decoder*.onnx`, `joiner*.onnx`; int8 ones preferred).
 */
export function transducerFiles(dir: string) {
  const names = existsSync(dir) ? readdirSync(dir) : [];
  const pick = (part: string) => {
    const candidates = names.filter((name) => name.startsWith(part) && name.endsWith('.onnx')).sort();
    const chosen = candidates.find((name) => name.includes('int8')) ?? candidates[0];
    return chosen ? join(dir, chosen) : null;
  };
  const files = {
    encoder: pick('encoder'),
    decoder: pick('decoder'),
    joiner: pick('joiner'),
    tokens: names.includes('tokens.txt') ? join(dir, 'tokens.txt') : null,
  };
  const missing = Object.entries(files)
    .filter(([, file]) => file === null)
    .map(([part]) => (part === 'tokens' ? 'tokens.txt' : `${part}*.onnx`));
  if (missing.length > 0) {
    throw new ModelMissingError(`no ${missing.join(', ')} in the sherpa-onnx model directory ${dir}`);
  }
  return files as Record<keyof typeof files, string>;
}

function recognizerConfig(dir: string): OnlineRecognizerConfig {
  const { encoder, decoder, joiner, tokens } = transducerFiles(dir);
  return {
    featConfig: { sampleRate: SAMPLE_RATE, featureDim: 80 },
    modelConfig: {
      transducer: { encoder, decoder, joiner },
      tokens,
      numThreads: 1,
      provider: 'cpu',
      debug: 0,
    },
    decodingMethod: 'greedy_search',
  };
}

export interface SherpaOnnxOptions {
  /** A streaming transducer (zipformer) model directory per language. */
  models: Record<string, string>;
}

/**
 * sherpa-onnx streaming transducers (zipformer), the engine to use with a downloaded model: far more
 * accurate than PocketSphinx. No model ships in any package this project can install; configure a
 * directory per language. A model file that is present but unreadable aborts the process inside
 * onnxruntime, so `verify` loads each model in a child process first.
 */
export class SherpaOnnxEngine implements SpeechEngine {
  readonly name = 'sherpa-onnx';
  readonly languages: readonly string[];
  private readonly recognizers = new Map<string, OnlineRecognizer>();

  constructor(private readonly options: SherpaOnnxOptions) {
    this.languages = Object.keys(options.models);
  }

  /** Loads every configured model in a child process; rejects with `ModelMissingError` for the first that fails. */
  async verify(): Promise<void> {
    for (const dir of Object.values(this.options.models)) {
      const config = JSON.stringify(recognizerConfig(dir));
      const module = JSON.stringify(require.resolve('sherpa-onnx-node'));
      const probe = `new (require(${module}).OnlineRecognizer)(${config})`;
      await run(process.execPath, ['-e', probe], { timeout: 120_000 }).catch((error: { stderr?: string }) => {
        const reason = (error.stderr ?? '').trim().split('\n').at(-1) ?? 'it did not load';
        throw new ModelMissingError(`the sherpa-onnx model in ${dir} is unusable: ${reason}`);
      });
    }
  }

  open(language: string): RecognitionStream {
    const dir = this.options.models[language];
    if (!dir) throw new LanguageNotSupportedError(this.name, language);
    let recognizer = this.recognizers.get(language);
    if (!recognizer) {
      try {
        recognizer = new OnlineRecognizer(recognizerConfig(dir));
      } catch (error) {
        if (error instanceof ModelMissingError) throw error;
        throw new ModelMissingError(`sherpa-onnx refused the model in ${dir}: ${(error as Error).message}`);
      }
      this.recognizers.set(language, recognizer);
    }
    return new SherpaOnnxStream(recognizer);
  }
}

class SherpaOnnxStream implements RecognitionStream {
  private stream: OnlineStream | null;

  constructor(private readonly recognizer: OnlineRecognizer) {
    this.stream = recognizer.createStream();
  }

  accept(samples: Int16Array): void {
    const floats = new Float32Array(samples.length);
    for (let i = 0; i < samples.length; i++) floats[i] = samples[i] / 32768;
    this.feed(floats);
  }

  partial(): string {
    return this.recognizer.getResult(this.live()).text.trim().toLowerCase();
  }

  finish(): Recognition {
    this.feed(new Float32Array(Math.round(TAIL_SECONDS * SAMPLE_RATE)));
    const { text, tokens, timestamps } = this.recognizer.getResult(this.live());
    this.recognizer.reset(this.live());
    return { text: text.trim().toLowerCase(), words: wordsOf(tokens, timestamps) };
  }

  close(): void {
    this.stream = null;
  }

  private feed(samples: Float32Array) {
    const stream = this.live();
    stream.acceptWaveform({ samples, sampleRate: SAMPLE_RATE });
    while (this.recognizer.isReady(stream)) this.recognizer.decode(stream);
  }

  private live(): OnlineStream {
    if (!this.stream) throw new Error('the recognition stream is closed');
    return this.stream;
  }
}

/** Words from BPE tokens (a token starting with a space or `▁` starts a word) and their start times. */
function wordsOf(tokens: string[], timestamps: number[]): RecognisedWord[] {
  const words: RecognisedWord[] = [];
  tokens.forEach((token, i) => {
    const ms = Math.round(timestamps[i] * 1000);
    const piece = token.replace(/^[ ▁]/, '').toLowerCase();
    if (words.length === 0 || /^[ ▁]/.test(token)) words.push({ word: piece, startMs: ms, endMs: ms });
    else words[words.length - 1].word += piece;
    words[words.length - 1].endMs =
      i + 1 < timestamps.length ? Math.round(timestamps[i + 1] * 1000) : ms + 200;
  });
  return words.filter((w) => w.word.length > 0);
}
