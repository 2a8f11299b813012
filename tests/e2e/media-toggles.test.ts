import type { Page } from 'playwright-core';
import { inbound, sleep, useMediaTestbed, waitFor } from './harness';

/** Turns the publisher's camera off (microphone only) or back on, as the SDK does: one offer each. */
function camera(page: Page, on: boolean) {
  return page.evaluate(async (on) => {
    const g = globalThis as any;
    g.devices ??= await g.navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 640, height: 360, frameRate: 15 },
    });
    const tracks = g.devices.getTracks().filter((t: any) => on || t.kind === 'audio');
    await g.session.publish('primary', new g.MediaStream(tracks));
  }, on);
}

describe('quick toggles', () => {
  const testbed = useMediaTestbed();

  it.each([100, 500, 1000])(
    'camera off and on again with %i ms between, ten times: the subscriber decodes again within 2 s each time',
    async (gap) => {
      const { id: conferenceId } = await testbed.conference('toggles');
      const publisher = await testbed.join(conferenceId, 'Pub', false);
      await camera(publisher.page, true);
      const subscriber = await testbed.join(conferenceId, 'Sub', false);
      await subscriber.page.evaluate((label) => (globalThis as any).watch(label), `${publisher.id}#primary`);
      await waitFor(
        () => inbound(subscriber.page),
        (stats) => stats.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 5),
      );
      for (let round = 0; round < 10; round++) {
        await camera(publisher.page, false);
        await sleep(gap);
        const before = new Map((await inbound(subscriber.page)).map((s) => [s.ssrc, s.framesDecoded ?? 0]));
        await camera(publisher.page, true);
        const on = Date.now();
        await waitFor(
          () => inbound(subscriber.page),
          (stats) =>
            stats.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) - (before.get(s.ssrc) ?? 0) >= 3),
          2000,
        ).catch((error: Error) => {
          throw new Error(
            `round ${round}, ${gap} ms gap: no new picture ${Date.now() - on} ms after "on" (${error.message})`,
          );
        });
      }
    },
  );
});
