import { existsSync } from 'node:fs';
import { join } from 'node:path';
import koffi from 'koffi';
import {
  LanguageNotSupportedError,
  ModelMissingError,
  type RecognisedWord,
  type Recognition,
  type RecognitionStream,
  type SpeechEngine,
} from './speech-engine';

/** Where Debian's `pocketsphinx-en-us` puts its model. */
export const DEBIAN_EN_US_MODEL = '/usr/share/pocketsphinx/model/en-us';
/** PocketSphinx's frames are 10 ms. */
const FRAME_MS = 10;

/** The functions of Debian's `libpocketsphinx3` (5prealpha) this engine calls, loaded once. */
interface Binding {
  args: () => unknown;
  parse: (inout: null, defn: unknown, argc: number, argv: Buffer[], strict: number) => unknown;
  freeConfig: (config: unknown) => number;
  init: (config: unknown) => unknown;
  free: (decoder: unknown) => number;
  startUtt: (decoder: unknown) => number;
  processRaw: (decoder: unknown, data: Int16Array, n: number, noSearch: number, fullUtt: number) => number;
  endUtt: (decoder: unknown) => number;
  hyp: (decoder: unknown, score: number[]) => string | null;
  segIter: (decoder: unknown) => unknown;
  segNext: (seg: unknown) => unknown;
  segWord: (seg: unknown) => string;
  segFrames: (seg: unknown, start: number[], end: number[]) => void;
}

let binding: Binding | undefined;

function load(): Binding {
  if (binding) return binding;
  const ps = koffi.load('libpocketsphinx.so.3');
  const sphinxbase = koffi.load('libsphinxbase.so.3');
  binding = {
    args: ps.func('void *ps_args()'),
    parse: sphinxbase.func(
      'void *cmd_ln_parse_r(void *inout, void *defn, int32_t argc, void **argv, int32_t strict)',
    ),
    freeConfig: sphinxbase.func('int cmd_ln_free_r(void *config)'),
    init: ps.func('void *ps_init(void *config)'),
    free: ps.func('int ps_free(void *decoder)'),
    startUtt: ps.func('int ps_start_utt(void *decoder)'),
    processRaw: ps.func(
      'int ps_process_raw(void *decoder, const int16_t *data, size_t n, int no_search, int full_utt)',
    ),
    endUtt: ps.func('int ps_end_utt(void *decoder)'),
    hyp: ps.func('const char *ps_get_hyp(void *decoder, _Out_ int32_t *score)'),
    segIter: ps.func('void *ps_seg_iter(void *decoder)'),
    segNext: ps.func('void *ps_seg_next(void *seg)'),
    segWord: ps.func('const char *ps_seg_word(void *seg)'),
    segFrames: ps.func('void ps_seg_frames(void *seg, _Out_ int *start, _Out_ int *end)'),
  };
  return binding;
}

/** Tokens PocketSphinx puts in its segmentation that are not words (silence, fillers, sentence marks). */
const NOT_A_WORD = /^(<s>|<\/s>|<sil>|\[[^\]]*\]|\+\+.*\+\+)$/;

export interface PocketSphinxOptions {
  /** Model directory per language: `<dir>/<lang>` (acoustic model), `<dir>/<lang>.lm.bin`, `<dir>/cmudict-<lang>.dict`. */
  models: Record<string, string>;
}

/**
 * PocketSphinx, in process through FFI: streaming, partial results and word times, one decoder per
 * stream (about 110 MB each, most of it the model). Its accuracy on conversational speech is modest;
 * feed it what a voice activity detector marks as speech, not the silence between (after seconds of
 * digital silence it misrecognises the first words).
 */
export class PocketSphinxEngine implements SpeechEngine {
  readonly name = 'pocketsphinx';
  readonly languages: readonly string[];

  constructor(private readonly options: PocketSphinxOptions = { models: { en: DEBIAN_EN_US_MODEL } }) {
    this.languages = Object.keys(options.models);
  }

  open(language: string): RecognitionStream {
    const dir = this.options.models[language];
    if (!dir) throw new LanguageNotSupportedError(this.name, language);
    const base = dir.split('/').pop() ?? '';
    const files = {
      hmm: join(dir, base),
      lm: join(dir, `${base}.lm.bin`),
      dict: join(dir, `cmudict-${base}.dict`),
    };
    const missing = Object.values(files).filter((file) => !existsSync(file));
    if (missing.length > 0) {
      throw new ModelMissingError(
        `PocketSphinx model files missing for "${language}": ${missing.join(', ')}`,
      );
    }
    return new PocketSphinxStream(load(), files);
  }
}

class PocketSphinxStream implements RecognitionStream {
  /** The decoder keeps pointers to its arguments' strings: they live as long as it does. */
  private readonly argv: Buffer[];
  private readonly config: unknown;
  private decoder: unknown;
  private inUtterance = false;
  /**
   * The first utterance's audio, decoded a second time: live cepstral mean normalisation starts from
   * fixed values and adapts as it goes, and until it has, words come out wrong (an 8 kHz line's first
   * sentence: one word of nine right; decoded again, all nine). Null once the first is done.
   */
  private firstUtterance: Int16Array[] | null = [];

  constructor(
    private readonly lib: Binding,
    files: { hmm: string; lm: string; dict: string },
  ) {
    const args = [
      'pocketsphinx',
      '-hmm',
      files.hmm,
      '-lm',
      files.lm,
      '-dict',
      files.dict,
      '-logfn',
      '/dev/null',
    ];
    this.argv = args.map((arg) => Buffer.from(`${arg}\0`));
    this.config = lib.parse(null, lib.args(), this.argv.length, this.argv, 1);
    if (!this.config) throw new ModelMissingError('PocketSphinx refused its configuration');
    this.decoder = lib.init(this.config);
    if (!this.decoder) {
      lib.freeConfig(this.config);
      throw new ModelMissingError(`PocketSphinx could not load the model in ${files.hmm}`);
    }
  }

  accept(samples: Int16Array): void {
    const decoder = this.live();
    if (!this.inUtterance) {
      this.lib.startUtt(decoder);
      this.inUtterance = true;
    }
    if (samples.length === 0) return;
    this.lib.processRaw(decoder, samples, samples.length, 0, 0);
    this.firstUtterance?.push(samples.slice());
  }

  partial(): string {
    return this.inUtterance ? (this.lib.hyp(this.live(), [0]) ?? '') : '';
  }

  finish(): Recognition {
    const decoder = this.live();
    if (!this.inUtterance) return { text: '', words: [] };
    this.lib.endUtt(decoder);
    this.inUtterance = false;
    if (this.firstUtterance) {
      const audio = this.firstUtterance;
      this.firstUtterance = null;
      this.lib.startUtt(decoder);
      for (const samples of audio) this.lib.processRaw(decoder, samples, samples.length, 0, 0);
      this.lib.endUtt(decoder);
    }
    const text = this.lib.hyp(decoder, [0]) ?? '';
    return { text: text.trim(), words: this.words(decoder) };
  }

  close(): void {
    if (!this.decoder) return;
    this.lib.free(this.decoder);
    this.lib.freeConfig(this.config);
    this.decoder = undefined;
  }

  private words(decoder: unknown): RecognisedWord[] {
    const words: RecognisedWord[] = [];
    // Frames count from the decoder's first utterance: the first segment marks this one's start.
    let origin: number | undefined;
    for (let seg = this.lib.segIter(decoder); seg; seg = this.lib.segNext(seg)) {
      const start = [0];
      const end = [0];
      this.lib.segFrames(seg, start, end);
      origin ??= start[0];
      const word = this.lib.segWord(seg).replace(/\(\d+\)$/, '');
      if (NOT_A_WORD.test(word)) continue;
      words.push({ word, startMs: (start[0] - origin) * FRAME_MS, endMs: (end[0] + 1 - origin) * FRAME_MS });
    }
    return words;
  }

  private live(): unknown {
    if (!this.decoder) throw new Error('the recognition stream is closed');
    return this.decoder;
  }
}
