import type { OfferedLine } from '@mind/sdp';

/**
 * The highest simulcast layer worth sending to a subscriber, from its hints: `x-preferences` (largest
 * frame area it will show) and `b=TIAS` (bitrate cap). Beyond that, mediasoup's own bandwidth
 * estimation for the subscriber lowers the layer when its link cannot carry it.
 */
export function preferredSpatialLayer(
  line: Pick<OfferedLine, 'maxBitrate' | 'preferences'>,
  layers: number,
): number {
  const top = Math.max(0, layers - 1);
  let layer = top;
  const area = line.preferences?.maxFrameArea ?? 0;
  if (area > 0) layer = Math.min(layer, area <= 320 * 180 ? 0 : area <= 640 * 360 ? 1 : top);
  const bitrate = line.maxBitrate ?? 0;
  if (bitrate > 0) layer = Math.min(layer, bitrate < 250_000 ? 0 : bitrate < 800_000 ? 1 : top);
  return layer;
}
