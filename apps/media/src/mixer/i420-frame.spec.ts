import { BLACK, I420Frame } from './i420-frame';

const lumaAt = (frame: I420Frame, x: number, y: number) => frame.data[y * frame.width + x];
const chromaUAt = (frame: I420Frame, x: number, y: number) =>
  frame.data[frame.width * frame.height + (y >> 1) * (frame.width / 2) + (x >> 1)];

describe('I420 frame', () => {
  it('fills a rectangle in all three planes and nothing outside it', () => {
    const frame = new I420Frame(8, 8);
    frame.fill({ x: 0, y: 0, width: 8, height: 8 }, BLACK);
    frame.fill({ x: 2, y: 2, width: 4, height: 2 }, { y: 200, u: 50, v: 60 });
    expect([lumaAt(frame, 2, 2), lumaAt(frame, 5, 3), lumaAt(frame, 6, 3), lumaAt(frame, 2, 4)]).toEqual([
      200, 200, 16, 16,
    ]);
    expect([chromaUAt(frame, 2, 2), chromaUAt(frame, 0, 0)]).toEqual([50, 128]);
  });

  it('scales a source into a tile, cropping to cover it', () => {
    // Left half white, right half dark: scaled 2x into a 16x8 tile at (4, 0) of a 24x8 frame.
    const source = new I420Frame(8, 4);
    source.fill({ x: 0, y: 0, width: 4, height: 4 }, { y: 235, u: 128, v: 128 });
    source.fill({ x: 4, y: 0, width: 4, height: 4 }, { y: 20, u: 128, v: 128 });
    const frame = new I420Frame(24, 8);
    frame.fill({ x: 0, y: 0, width: 24, height: 8 }, BLACK);
    frame.draw(source, { x: 4, y: 0, width: 16, height: 8 }, 'cover');
    expect([lumaAt(frame, 3, 0), lumaAt(frame, 4, 0), lumaAt(frame, 11, 7), lumaAt(frame, 12, 7)]).toEqual([
      16, 235, 235, 20,
    ]);
    expect(lumaAt(frame, 20, 0)).toBe(16);
  });

  it('letterboxes a source of another shape when it must be shown whole', () => {
    const source = new I420Frame(4, 4);
    source.fill({ x: 0, y: 0, width: 4, height: 4 }, { y: 235, u: 128, v: 128 });
    const frame = new I420Frame(16, 8);
    frame.fill({ x: 0, y: 0, width: 16, height: 8 }, { y: 100, u: 128, v: 128 });
    frame.draw(source, { x: 0, y: 0, width: 16, height: 8 }, 'contain');
    // An 8x8 picture centred: black bars of 4 pixels either side.
    expect([
      lumaAt(frame, 0, 4),
      lumaAt(frame, 3, 4),
      lumaAt(frame, 4, 4),
      lumaAt(frame, 11, 4),
      lumaAt(frame, 12, 4),
    ]).toEqual([16, 16, 235, 235, 16]);
  });

  it('copies a source of the tile size as it is', () => {
    const source = new I420Frame(4, 4);
    source.data.forEach((_, i) => (source.data[i] = i));
    const frame = new I420Frame(8, 8);
    frame.fill({ x: 0, y: 0, width: 8, height: 8 }, BLACK);
    frame.draw(source, { x: 4, y: 2, width: 4, height: 4 }, 'cover');
    expect([...frame.data.subarray(2 * 8 + 4, 2 * 8 + 8)]).toEqual([0, 1, 2, 3]);
    expect([...frame.data.subarray(5 * 8 + 4, 5 * 8 + 8)]).toEqual([12, 13, 14, 15]);
    expect(frame.data[2 * 8 + 3]).toBe(16);
    // U plane of the source (2x2) lands at (2, 1) of the frame's 4x4 U plane.
    expect(frame.data[64 + 1 * 4 + 2]).toBe(16);
  });
});
