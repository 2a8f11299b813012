import type { Page } from 'playwright-core';
import { client, inbound, useMediaTestbed, waitFor } from './harness';

/** Average RGB of a square around (x, y) of the `conference` video as the page decodes it. */
function sampleConferenceVideo(page: Page, points: [number, number][]) {
  return page.evaluate((where) => {
    const g = globalThis as any;
    const video = [...g.document.querySelectorAll('video')].find((v: any) => v.videoWidth > 0);
    if (!video) return null;
    const canvas = g.document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0);
    return {
      width: video.videoWidth,
      height: video.videoHeight,
      samples: where.map(([x, y]: [number, number]) => {
        const { data } = context.getImageData(x - 8, y - 8, 16, 16);
        const sum = [0, 0, 0];
        for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += data[i + c];
        return sum.map((value) => Math.round(value / (data.length / 4)));
      }),
    };
  }, points);
}

const isBlack = ([r, g, b]: number[]) => r + g + b < 60;
/** Chromium's fake camera is mostly green. */
const isCamera = ([r, g, b]: number[]) => g > 80 && g > r + 40 && g > b + 40;

describe('mixer: the conference stream', () => {
  const testbed = useMediaTestbed();

  it('three speakers in a mosaic: a fourth participant decodes one picture of three tiles and hears the mix', async () => {
    const { id: conferenceId } = await testbed.conference('mixed');
    const api = client(testbed.platform.url, testbed.app.token);
    for (const name of ['Ann', 'Bob', 'Cid']) await testbed.join(conferenceId, name, true);
    const viewer = await testbed.join(conferenceId, 'Viewer', false);
    await api.patch(`/${testbed.app.id}/${conferenceId}/participants/${viewer.id}`, { role: 'attendee' });

    await viewer.page.evaluate(() => (globalThis as any).watch('conference'));
    await waitFor(
      () => inbound(viewer.page),
      (stats) =>
        stats.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 25 && s.frameWidth === 1280) &&
        stats.some((s) => s.kind === 'audio' && (s.packetsReceived ?? 0) > 50),
      30_000,
    );
    // 3 tiles of 640x360: two on top, one centred below; black where no tile is.
    const tileCentres: [number, number][] = [
      [320, 180],
      [960, 180],
      [640, 540],
    ];
    const blanks: [number, number][] = [
      [100, 540],
      [1180, 540],
    ];
    const picture = await waitFor(
      () => sampleConferenceVideo(viewer.page, [...tileCentres, ...blanks]),
      (sampled) => sampled !== null && sampled.samples.slice(0, 3).every(isCamera),
      20_000,
    );
    expect([picture!.width, picture!.height]).toEqual([1280, 720]);
    expect(picture!.samples.slice(3).every(isBlack)).toBe(true);
  });
});
