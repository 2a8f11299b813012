import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpusEncoder } from '@mind/audio';
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

/** Where speech made by `speak` begins (flite leads with near silence), in ms. */
export function onsetMs(samples: Int16Array): number {
  const first = samples.findIndex((sample) => Math.abs(sample) > 300);
  return first < 0 ? (samples.length * 1000) / SAMPLE_RATE : (first * 1000) / SAMPLE_RATE;
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

/** 16 kHz mono samples as a WAV file (for a browser's fake microphone). */
export function wavFile(samples: Int16Array): Buffer {
  const header = Buffer.alloc(44);
  const bytes = samples.length * 2;
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + bytes, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(bytes, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, bytes)]);
}

/**
 * 16 kHz speech as a browser would send it: libopus's encoder at 48 kHz (samples repeated: enough for
 * speech to stay speech), 20 ms packets, mono or stereo.
 */
export function opusPackets(samples: Int16Array, channels: 1 | 2 = 1): Buffer[] {
  const encoder = new OpusEncoder(48_000, channels);
  const frame = 960;
  const packets: Buffer[] = [];
  for (let at = 0; at + frame / 3 <= samples.length; at += frame / 3) {
    const pcm = new Int16Array(frame * channels);
    for (let i = 0; i < frame * channels; i++) pcm[i] = samples[at + Math.floor(i / channels / 3)];
    packets.push(encoder.encode(pcm));
  }
  encoder.close();
  return packets;
}
