import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { MixEngine } from './mix-engine';
import type { FromMixThread, MixStats } from './mix-protocol';

const logger = pino({ level: 'silent' });
const SIZE = { width: 320, height: 180 };

/** Real ffmpeg encoders: one that takes every picture, and one that never reads its input. */
const ENCODERS = {
  reading: ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${SIZE.width}x${SIZE.height}`, '-i', 'pipe:0'],
  stuck: ['-nostdin', '-re', '-f', 'lavfi', '-i', 'nullsrc=s=16x16:r=1'],
};

describe('MixEngine', () => {
  let engine: MixEngine;
  afterEach(() => engine?.close());

  /** The engine's stats after `ms` of composing into one encoder. */
  async function statsAfter(encoder: keyof typeof ENCODERS, ms: number): Promise<MixStats> {
    const events: FromMixThread[] = [];
    engine = new MixEngine({ ...SIZE, fps: 25 }, logger, (event) => events.push(event));
    engine.handle({
      type: 'openOutput',
      id: 'video',
      output: { kind: 'video' },
      encoderArgs: [...ENCODERS[encoder], '-f', 'null', '-'],
    });
    await sleep(ms);
    engine.handle({ type: 'stats', request: 1 });
    const answer = events.find((event) => event.type === 'stats');
    if (answer?.type !== 'stats') throw new Error('the engine did not answer its stats');
    return answer.stats;
  }

  it('counts the pictures an encoder still busy with earlier ones did not take', async () => {
    const stats = await statsAfter('stuck', 1500);
    expect(stats.frames.composed).toBeGreaterThan(20);
    // The first pictures fill the pipe and the stream's buffer; every later one is dropped.
    expect(stats.frames.dropped).toBeGreaterThanOrEqual(stats.frames.composed - 5);
  });

  it('drops nothing, or next to nothing, while the encoder keeps up', async () => {
    const stats = await statsAfter('reading', 1500);
    expect(stats.frames.composed).toBeGreaterThan(20);
    // A picture or two may wait for ffmpeg to start reading.
    expect(stats.frames.dropped).toBeLessThan(stats.frames.composed / 2);
  });
});
