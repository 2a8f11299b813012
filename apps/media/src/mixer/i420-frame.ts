import type { Rect, Size } from './layout';

export interface Yuv {
  y: number;
  u: number;
  v: number;
}

export const BLACK: Yuv = { y: 16, u: 128, v: 128 };

/**
 * A raw I420 (YUV 4:2:0 planar) picture, the format ffmpeg decoders write and the encoder reads.
 * Rectangles are expected at even coordinates so that every chroma sample belongs to one rectangle.
 */
export class I420Frame implements Size {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    data?: Uint8Array,
  ) {
    this.data = data ?? new Uint8Array(I420Frame.byteLength(width, height));
  }

  static byteLength(width: number, height: number): number {
    return width * height + 2 * (width / 2) * (height / 2);
  }

  private planes() {
    const lumaSize = this.width * this.height;
    const chromaSize = lumaSize / 4;
    return [
      { offset: 0, stride: this.width, shift: 0 },
      { offset: lumaSize, stride: this.width / 2, shift: 1 },
      { offset: lumaSize + chromaSize, stride: this.width / 2, shift: 1 },
    ];
  }

  fill(rect: Rect, color: Yuv): void {
    const values = [color.y, color.u, color.v];
    this.planes().forEach((plane, index) => {
      const x0 = rect.x >> plane.shift;
      const width = rect.width >> plane.shift;
      for (let row = rect.y >> plane.shift, end = (rect.y + rect.height) >> plane.shift; row < end; row++) {
        const start = plane.offset + row * plane.stride + x0;
        this.data.fill(values[index], start, start + width);
      }
    });
  }

  /**
   * Draws `source` scaled into `rect` (nearest neighbour, which is cheap enough for 25 fps in
   * JavaScript): `cover` crops the source to the rectangle's shape, `contain` letterboxes it in black.
   */
  draw(source: I420Frame, rect: Rect, fit: 'cover' | 'contain'): void {
    if (rect.width === source.width && rect.height === source.height) return this.copy(source, rect);
    const scale =
      fit === 'cover'
        ? Math.max(rect.width / source.width, rect.height / source.height)
        : Math.min(rect.width / source.width, rect.height / source.height);
    const target =
      fit === 'cover' ? rect : centred(rect, even(source.width * scale), even(source.height * scale));
    if (fit === 'contain') this.fill(rect, BLACK);
    // The part of the source that lands in the target, centred.
    const cropWidth = target.width / scale;
    const cropHeight = target.height / scale;
    const cropX = (source.width - cropWidth) / 2;
    const cropY = (source.height - cropHeight) / 2;
    const from = source.planes();
    this.planes().forEach((plane, index) => {
      const src = from[index];
      const width = target.width >> plane.shift;
      const height = target.height >> plane.shift;
      const columns = new Int32Array(width);
      for (let x = 0; x < width; x++) {
        columns[x] = Math.min(
          (source.width >> src.shift) - 1,
          Math.floor((cropX + ((x + 0.5) * cropWidth) / width) / (1 << src.shift)),
        );
      }
      const x0 = target.x >> plane.shift;
      const y0 = target.y >> plane.shift;
      for (let y = 0; y < height; y++) {
        const sourceRow = Math.min(
          (source.height >> src.shift) - 1,
          Math.floor((cropY + ((y + 0.5) * cropHeight) / height) / (1 << src.shift)),
        );
        const sourceStart = src.offset + sourceRow * src.stride;
        const targetStart = plane.offset + (y0 + y) * plane.stride + x0;
        for (let x = 0; x < width; x++) this.data[targetStart + x] = source.data[sourceStart + columns[x]];
      }
    });
  }

  /** Same size: whole rows at a time (decoders already deliver tiles at their size in most layouts). */
  private copy(source: I420Frame, rect: Rect): void {
    const from = source.planes();
    this.planes().forEach((plane, index) => {
      const src = from[index];
      const width = rect.width >> plane.shift;
      const x0 = rect.x >> plane.shift;
      const y0 = rect.y >> plane.shift;
      for (let y = 0, rows = rect.height >> plane.shift; y < rows; y++) {
        const start = src.offset + y * src.stride;
        this.data.set(
          source.data.subarray(start, start + width),
          plane.offset + (y0 + y) * plane.stride + x0,
        );
      }
    });
  }
}

const even = (value: number) => Math.max(2, Math.floor(value / 2) * 2);

function centred(rect: Rect, width: number, height: number): Rect {
  return {
    x: rect.x + even((rect.width - width) / 2),
    y: rect.y + even((rect.height - height) / 2),
    width: Math.min(width, rect.width),
    height: Math.min(height, rect.height),
  };
}
