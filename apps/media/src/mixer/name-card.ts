import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@mind/logging';
import { FfmpegProcess } from './ffmpeg-process';
import { I420Frame } from './i420-frame';
import type { Size } from './layout';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const BACKGROUND = '0x2b2f36';

/**
 * Pictures with a participant's name, shown on its tile while it sends no video. Rendered once per
 * name by ffmpeg's drawtext (any script the font has), then reused.
 */
export class NameCards {
  private readonly cards = new Map<string, I420Frame | null>();

  constructor(
    private readonly size: Size,
    private readonly logger: Logger,
  ) {}

  /** The card for a name, or null while it is being drawn (the tile stays plain meanwhile). */
  get(name: string): I420Frame | null {
    if (!this.cards.has(name)) {
      this.cards.set(name, null);
      this.render(name).then(
        (card) => this.cards.set(name, card),
        (error) => this.logger.warn({ err: error }, 'name card could not be drawn'),
      );
    }
    return this.cards.get(name) ?? null;
  }

  private async render(name: string): Promise<I420Frame> {
    const { width, height } = this.size;
    const directory = await mkdtemp(join(tmpdir(), 'mind-card-'));
    try {
      // Read from a file with expansion off: no escaping rules for names to get wrong.
      const textFile = join(directory, 'name.txt');
      await writeFile(textFile, name);
      const ffmpeg = new FfmpegProcess(
        [
          ...['-f', 'lavfi', '-i', `color=c=${BACKGROUND}:s=${width}x${height}:d=1`],
          ...['-vf', drawText(textFile, Math.round(height / 8))],
          ...['-frames:v', '1', '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1'],
        ],
        this.logger,
      );
      const chunks: Buffer[] = [];
      ffmpeg.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A process can exit before its output has all been read: wait for both.
      const [code] = await Promise.all([
        new Promise<number | null>((resolve) => ffmpeg.on('exit', (c) => resolve(c))),
        new Promise((resolve) => ffmpeg.stdout.once('close', resolve)),
      ]);
      const data = Buffer.concat(chunks);
      if (code !== 0 || data.length !== I420Frame.byteLength(width, height)) {
        throw new Error(`ffmpeg drew no card (exit ${code}, ${data.length} bytes)`);
      }
      return new I420Frame(width, height, data);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }
}

const drawText = (textFile: string, size: number) =>
  `drawtext=fontfile=${FONT}:textfile=${textFile}:expansion=none:fontcolor=white:fontsize=${size}` +
  ':x=(w-text_w)/2:y=(h-text_h)/2';
