import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LanguageNotSupportedError,
  ModelMissingError,
  PocketSphinxEngine,
  SAMPLE_RATE,
  SherpaOnnxEngine,
  StreamTranscriber,
  UtteranceFeed,
  VoiceActivity,
  wordErrorRate,
  type SpeechSpan,
  type Utterance,
} from './index';
import { concat, silence, speak } from './test-speech';

/** Real speech (Debian's flite), the real engine and detector: what the transcription service runs. */
const SENTENCES = [
  'please send me the recording of the meeting tomorrow',
  'we should move the release to next week',
];
const engine = new PocketSphinxEngine();
const seconds = (samples: Int16Array) => samples.length / SAMPLE_RATE;

/** Each sentence after `gapMs` of silence; answers the audio and where each sentence begins (ms). */
function conversation(voice: string, rate = SAMPLE_RATE, gapMs = 1500) {
  const parts: Int16Array[] = [];
  const starts: number[] = [];
  let at = 0;
  for (const sentence of SENTENCES) {
    const speech = speak(sentence, voice, rate);
    parts.push(silence(gapMs), speech);
    starts.push(at + gapMs);
    at += gapMs + (1000 * speech.length) / SAMPLE_RATE;
  }
  parts.push(silence(gapMs));
  return { audio: concat(parts), starts };
}

/** Feeds a stream as a live source would: 20 ms at a time. */
function transcribe(audio: Int16Array): Utterance[] {
  const transcriber = new StreamTranscriber(engine, 'en');
  try {
    const utterances: Utterance[] = [];
    for (let at = 0; at < audio.length; at += 320)
      utterances.push(...transcriber.accept(audio.subarray(at, at + 320)));
    return [...utterances, ...transcriber.finish()];
  } finally {
    transcriber.close();
  }
}
const textOf = (utterances: Utterance[]) => utterances.map((u) => u.text).join(' ');

describe('wordErrorRate', () => {
  it('counts substitutions, deletions and insertions against the reference', () => {
    expect(wordErrorRate('the quick brown fox', 'the quick brown fox')).toBe(0);
    expect(wordErrorRate('the quick brown fox', 'The quick, brown box!')).toBe(0.25);
    expect(wordErrorRate('the quick brown fox', 'quick brown fox')).toBe(0.25);
    expect(wordErrorRate('the quick brown fox', 'the very quick brown fox')).toBe(0.25);
    expect(wordErrorRate('a b', 'c d e f')).toBe(2);
    expect(wordErrorRate('', '')).toBe(0);
  });
});

describe('PocketSphinxEngine', () => {
  it('recognises a sentence with word times inside its audio, and partial results on the way', () => {
    const audio = speak(SENTENCES[0], 'slt');
    const stream = engine.open('en');
    try {
      stream.accept(audio.subarray(0, audio.length / 2));
      expect(stream.partial()).not.toBe('');
      stream.accept(audio.subarray(audio.length / 2));
      const { text, words } = stream.finish();
      expect(wordErrorRate(SENTENCES[0], text)).toBeLessThanOrEqual(0.35);
      expect(words.map((w) => w.word).join(' ')).toBe(text);
      for (const [i, word] of words.entries()) {
        expect(word.endMs).toBeGreaterThan(word.startMs);
        if (i > 0) expect(word.startMs).toBeGreaterThanOrEqual(words[i - 1].endMs);
      }
      expect(words.at(-1)!.endMs).toBeLessThanOrEqual(seconds(audio) * 1000 + 10);
      // The next utterance's times start again from zero.
      stream.accept(audio);
      expect(stream.finish().words[0].startMs).toBeLessThan(500);
    } finally {
      stream.close();
    }
  });

  it('says which language it has no model for, and which model files are missing', () => {
    expect(() => engine.open('de')).toThrow(LanguageNotSupportedError);
    const empty = join(mkdtempSync(join(tmpdir(), 'mind-asr-')), 'en-us');
    expect(() => new PocketSphinxEngine({ models: { en: empty } }).open('en')).toThrow(ModelMissingError);
  });
});

describe('SherpaOnnxEngine (configuration only: no model ships in any package reachable here)', () => {
  const directory = (files: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'mind-sherpa-'));
    mkdirSync(dir, { recursive: true });
    for (const file of files) writeFileSync(join(dir, file), 'not a model');
    return dir;
  };

  it('says which files of a model directory are missing, and which language has no model', () => {
    const engine = new SherpaOnnxEngine({
      models: { en: directory(['tokens.txt', 'encoder-epoch-99.onnx']) },
    });
    expect(engine.languages).toEqual(['en']);
    expect(() => engine.open('en')).toThrow(
      /no decoder\*\.onnx, joiner\*\.onnx in the sherpa-onnx model directory/,
    );
    expect(() => engine.open('fr')).toThrow(LanguageNotSupportedError);
    const absent = new SherpaOnnxEngine({ models: { en: join(tmpdir(), 'mind-no-such-model') } });
    expect(() => absent.open('en')).toThrow(ModelMissingError);
  });

  it('finds an unreadable model in a child process, before it can abort this one', async () => {
    const files = ['tokens.txt', 'encoder.int8.onnx', 'decoder.onnx', 'joiner.onnx'];
    const engine = new SherpaOnnxEngine({ models: { en: directory(files) } });
    await expect(engine.verify()).rejects.toThrow(/is unusable: .*(Protobuf|failed|Load model)/i);
  }, 60_000);
});

describe('VoiceActivity', () => {
  it('finds each sentence between silences, padded, within a few tenths of a second', () => {
    const { audio, starts } = conversation('kal16');
    const activity = new VoiceActivity({ paddingMs: 200 });
    const spans = [];
    for (let at = 0; at < audio.length; at += 480)
      spans.push(...activity.accept(audio.subarray(at, at + 480)));
    spans.push(...activity.flush());
    expect(spans).toHaveLength(SENTENCES.length);
    spans.forEach((span, i) => {
      expect(Math.abs((1000 * span.startSample) / SAMPLE_RATE - starts[i])).toBeLessThan(400);
      expect(seconds(span.samples)).toBeGreaterThan(1.5);
    });
  });

  it('goes on after a flush (the end of a stretch, mid-sentence): the next speech is found where it is', () => {
    const { audio, starts } = conversation('kal16');
    const activity = new VoiceActivity({ paddingMs: 200 });
    // Cut in the middle of the first sentence, as a paused producer would.
    const cut = Math.round(((starts[0] + 700) * SAMPLE_RATE) / 1000);
    const spans = [...activity.accept(audio.subarray(0, cut)), ...activity.flush()];
    for (let at = cut; at < audio.length; at += 480)
      spans.push(...activity.accept(audio.subarray(at, at + 480)));
    spans.push(...activity.flush());
    const startsMs = spans.map((span) => (1000 * span.startSample) / SAMPLE_RATE);
    expect(Math.abs(startsMs[0] - starts[0])).toBeLessThan(400);
    expect(Math.abs(startsMs.at(-1)! - starts[1])).toBeLessThan(400);
  });
});

describe('UtteranceFeed', () => {
  it('hands each utterance on while it is said: by the end of its speech, all but the last moments are there', () => {
    const { audio } = conversation('kal16');
    let fed = 0;
    const handed: { at: number; samples: number }[] = [];
    const ended: { span: SpeechSpan; handed: number; beforeItsEnd: number }[] = [];
    const feed = new UtteranceFeed(new VoiceActivity(), {
      accept: (samples) => handed.push({ at: fed, samples: samples.length }),
      end: (span) => {
        const all = handed.splice(0);
        const sum = (parts: typeof all) => parts.reduce((n, part) => n + part.samples, 0);
        ended.push({
          span,
          handed: sum(all),
          beforeItsEnd: sum(all.filter((part) => part.at <= span.speechEnd)),
        });
      },
    });
    for (let at = 0; at < audio.length; at += 320) {
      fed = Math.min(audio.length, at + 320);
      feed.accept(audio.subarray(at, at + 320));
    }
    feed.flush();
    expect(ended).toHaveLength(SENTENCES.length);
    let total = 0;
    for (const { span, handed: samples, beforeItsEnd } of ended) {
      // All its audio with the padding, and a little more (the lead, the silence that ended it).
      expect(samples).toBeGreaterThanOrEqual(span.samples.length);
      expect((samples - span.samples.length) / SAMPLE_RATE).toBeLessThan(1.2);
      // Handed on as it came: what was left when the speech stopped was under a tenth of a second.
      expect((span.speechEnd - span.speechStart - beforeItsEnd) / SAMPLE_RATE).toBeLessThan(0.1);
      total += samples;
    }
    // No audio twice.
    expect(total).toBeLessThanOrEqual(audio.length);
  });
});

describe('StreamTranscriber', () => {
  it.each(['slt', 'kal16'])('turns %s speaking, with pauses, into timed utterances', (voice) => {
    const { audio, starts } = conversation(voice);
    const utterances = transcribe(audio);
    expect(utterances).toHaveLength(SENTENCES.length);
    expect(wordErrorRate(SENTENCES.join(' '), textOf(utterances))).toBeLessThanOrEqual(0.35);
    utterances.forEach((utterance, i) => {
      expect(Math.abs(utterance.startMs - starts[i])).toBeLessThan(500);
      expect(utterance.words[0].startMs).toBeGreaterThanOrEqual(utterance.startMs);
      expect(utterance.words.at(-1)!.endMs).toBeLessThanOrEqual(utterance.endMs);
    });
  });

  it('recognises telephone (8 kHz) speech, the first utterance of a stream too', () => {
    for (const voice of ['awb', 'kal16']) {
      // A fresh decoder's first sentence through a line came out as one word of nine before it was
      // decoded a second time (live normalisation had not adapted yet).
      const stream = engine.open('en');
      stream.accept(speak(SENTENCES[0], voice, 8000));
      expect(wordErrorRate(SENTENCES[0], stream.finish().text)).toBeLessThanOrEqual(0.25);
      stream.close();
      const { audio } = conversation(voice, 8000, 1000);
      expect(wordErrorRate(SENTENCES.join(' '), textOf(transcribe(audio)))).toBeLessThanOrEqual(0.35);
    }
  });
});
