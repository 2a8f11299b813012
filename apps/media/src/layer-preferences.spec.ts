import { preferredSpatialLayer } from './layer-preferences';

describe('simulcast layer for a subscriber', () => {
  it('sends the top layer without hints (bandwidth estimation may still lower it)', () => {
    expect(preferredSpatialLayer({}, 3)).toBe(2);
    expect(preferredSpatialLayer({ preferences: { maxFrameArea: 0, maxFrameRate: 0 } }, 3)).toBe(2);
  });

  it('follows the largest frame area the subscriber will show', () => {
    expect(preferredSpatialLayer({ preferences: { maxFrameArea: 320 * 180, maxFrameRate: 15 } }, 3)).toBe(0);
    expect(preferredSpatialLayer({ preferences: { maxFrameArea: 640 * 360, maxFrameRate: 30 } }, 3)).toBe(1);
    expect(preferredSpatialLayer({ preferences: { maxFrameArea: 1280 * 720, maxFrameRate: 30 } }, 3)).toBe(2);
  });

  it('follows the bitrate cap (b=TIAS), the stricter of the two hints winning', () => {
    expect(preferredSpatialLayer({ maxBitrate: 150_000 }, 3)).toBe(0);
    expect(preferredSpatialLayer({ maxBitrate: 500_000 }, 3)).toBe(1);
    expect(
      preferredSpatialLayer(
        { maxBitrate: 500_000, preferences: { maxFrameArea: 320 * 180, maxFrameRate: 15 } },
        3,
      ),
    ).toBe(0);
  });

  it('never asks for a layer the sender does not have', () => {
    expect(preferredSpatialLayer({ preferences: { maxFrameArea: 1280 * 720, maxFrameRate: 30 } }, 2)).toBe(1);
    expect(preferredSpatialLayer({}, 1)).toBe(0);
  });
});
