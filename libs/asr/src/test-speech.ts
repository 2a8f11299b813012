import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_RATE } from './speech-engine';

/**
 * Speech made by Debian's `flite` (tests and benchmarks only), as 16 kHz mono samples. `rate` 8000
 * sends it through an 8 kHz line first, as a telephone call would.
 */
export function speak(text: string, voice: string, rate = SAMPLE_RATE): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'mind-speech-'));
  try {
    const wav = join(dir, 'speech.wav');
    execFileSync('flite', ['-voice', voice, '-t', text, '-o', wav]);
    const line = rate === SAMPLE_RATE ? [] : ['-af', `aresample=${rate},aresample=${SAMPLE_RATE}`];
    const pcm = execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-i', wav],
      ...line,
      ...['-ar', String(SAMPLE_RATE), '-ac', '1', '-f', 's16le', '-'],
    ]);
    return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2).slice();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `ms` of digital silence. */
export const silence = (ms: number) => new Int16Array(Math.round((ms * SAMPLE_RATE) / 1000));

export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
