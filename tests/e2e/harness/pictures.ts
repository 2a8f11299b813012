import type { Page } from 'playwright-core';

/**
 * Average RGB of a square around (x, y) of the video a page plays (the `conference` stream where the
 * test watches it, else the page's own camera once `showOwnCamera` ran).
 */
export function samplePlayedVideo(page: Page, points: [number, number][]) {
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

/** Plays a publisher's own camera on its page, as it sends it. */
export function showOwnCamera(page: Page) {
  return page.evaluate(() => {
    const g = globalThis as any;
    const video = g.document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.srcObject = new g.MediaStream([g.session.send.primary.video.sender.track]);
    g.document.body.appendChild(video);
  });
}

export const isBlack = ([r, g, b]: number[]) => r + g + b < 60;
/** The mixer's name card: a dark grey-blue tile (0x2b2f36) with white text, neither camera nor black. */
export const isNameCard = ([r, g, b]: number[]) => !isCamera([r, g, b]) && !isBlack([r, g, b]) && b >= r;
export const isRed = ([r, g, b]: number[]) => r > 150 && g < 80 && b < 80;
/** Chromium's fake camera is mostly green. */
export const isCamera = ([r, g, b]: number[]) => g > 30 && g > r + 20 && g > b + 20;
