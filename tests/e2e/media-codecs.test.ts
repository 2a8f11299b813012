import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  client,
  frameColour,
  inbound,
  isCamera,
  isRed,
  probe,
  samplePlayedVideo,
  showOwnCamera,
  sleep,
  useMediaTestbed,
  waitFor,
  type ClientSetup,
} from './harness';

/** The codec a page's PeerConnection really sends its camera with (outbound RTP), e.g. `video/H264`. */
function sentVideoCodecs(page: Page) {
  return page.evaluate(async () => {
    const report = await (globalThis as any).session.pc.getStats();
    const codecs = new Set<string>();
    report.forEach((s: any) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video' && s.packetsSent > 0) {
        codecs.add(report.get(s.codecId)?.mimeType);
      }
    });
    return [...codecs];
  });
}

const close = (a: number[], b: number[], within: number) =>
  a.every((value, i) => Math.abs(value - b[i]) < within);

/**
 * Each way a Mind SDK can publish video reaches everyone: the client sends exactly the codec the node
 * answers after the SDK's own edit of the answer, a subscriber decodes it, and the mixer and the
 * recording show the camera's pixels.
 */
describe.each<[string, NodeJS.ProcessEnv, ClientSetup, string]>([
  ['VP8 simulcast (the SDK’s default, VP8 first)', {}, {}, 'video/VP8'],
  [
    'H264 simulcast (a node that prefers H264: the SDK’s edit puts it first)',
    { MIND_MEDIA_SIMULCAST_CODECS: 'H264,VP8' },
    {},
    'video/H264',
  ],
  ['VP9 SVC (the SDK’s VP9 option)', {}, { useVp9ForSendingVideo: true }, 'video/VP9'],
])('publishing %s', (_mode, env, setup, codec) => {
  const testbed = useMediaTestbed(() => env);
  let work: string;
  beforeAll(() => (work = mkdtempSync(join(tmpdir(), 'mind-codecs-test-'))));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it(`sends ${codec}; a subscriber, the mixed stream and the recording all show the camera`, async () => {
    const { platform, app } = testbed;
    if (!platform.isRunning('recording')) await platform.startService('recording');
    const { id: conferenceId } = await testbed.conference('codecs');
    const base = `/${app.id}/${conferenceId}`;
    const api = client(platform.url, app.token);
    const publisher = await testbed.join(conferenceId, 'Pub', true, setup);
    const subscriber = await testbed.join(conferenceId, 'Sub', false);
    const viewer = await testbed.join(conferenceId, 'View', false);
    for (const listener of [subscriber, viewer]) {
      await api.patch(`${base}/participants/${listener.id}`, { role: 'attendee' });
    }

    await subscriber.page.evaluate((label) => (globalThis as any).watch(label), `${publisher.id}#primary`);
    const received = await waitFor(
      () => inbound(subscriber.page),
      (stats) =>
        stats.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 20 && (s.frameWidth ?? 0) > 0),
      20_000,
    );
    expect(received.find((s) => s.kind === 'video')!.codec).toBe(codec);
    expect(await sentVideoCodecs(publisher.page)).toEqual([codec]);

    // The mix shows the lone speaker full frame: its camera, in its own colours.
    await viewer.page.evaluate(() => (globalThis as any).watch('conference', ['video']));
    await showOwnCamera(publisher.page);
    const own = await waitFor(
      () => samplePlayedVideo(publisher.page, [[40, 180]]),
      (sampled) => sampled !== null && isCamera(sampled.samples[0]),
    );
    const mixed = await waitFor(
      () => samplePlayedVideo(viewer.page, [[80, 360]]),
      (sampled) => sampled !== null && sampled.width === 1280 && isCamera(sampled.samples[0]),
      20_000,
    );
    expect(close(mixed!.samples[0], own!.samples[0], 20)).toBe(true);

    // A recording of it holds the same picture.
    expect((await api.post(`${base}/recording/start`, {})).status).toBe(200);
    await sleep(4000);
    expect((await api.post(`${base}/recording/stop`, {})).status).toBe(200);
    const file = join(work, `${conferenceId}.mp4`);
    const facts = await waitFor(
      async () => {
        const answer = await fetch(`${platform.url}${base}/recording`, {
          headers: { Authorization: `Bearer ${app.token}` },
        });
        if (answer.status !== 200) return null;
        writeFileSync(file, Buffer.from(await answer.arrayBuffer()));
        return probe(file);
      },
      (probed) => probed !== null,
      60_000,
    );
    expect(facts!.video).toMatchObject({ codec_name: 'h264', width: 1280, height: 720 });
    const recorded = await frameColour(file, facts!.duration / 2, [80, 360]);
    expect(isCamera(recorded)).toBe(true);
    expect(close(recorded, own!.samples[0], 25)).toBe(true);
  });
});

describe('a publisher that switches codec between sessions', () => {
  const testbed = useMediaTestbed();

  it('is mixed again in its new codec: VP8 first, then VP9 from a new session of the same participant', async () => {
    const { platform, app, browser } = testbed;
    const { id: conferenceId } = await testbed.conference('codec-switch');
    const publisher = await testbed.join(conferenceId, 'Pub', true);
    const viewer = await testbed.join(conferenceId, 'View', false);
    await client(platform.url, app.token).patch(`/${app.id}/${conferenceId}/participants/${viewer.id}`, {
      role: 'attendee',
    });
    await viewer.page.evaluate(() => (globalThis as any).watch('conference', ['video']));
    await waitFor(
      () => samplePlayedVideo(viewer.page, [[80, 360]]),
      (sampled) => sampled !== null && isCamera(sampled.samples[0]),
      20_000,
    );
    expect(await sentVideoCodecs(publisher.page)).toEqual(['video/VP8']);

    // The same participant comes back from a page with the SDK's VP9 option, sending a red picture.
    await publisher.page.context().close();
    const page = await browser.page({ chromeUserAgent: true });
    await page.evaluate(
      async ({ baseUrl, applicationId, conferenceId, token }) => {
        const g = globalThis as any;
        g.session = new g.Mind.ParticipantSession({
          baseUrl,
          applicationId,
          conferenceId,
          token,
          useVp9ForSendingVideo: true,
        });
        await g.session.join();
        const canvas = g.document.createElement('canvas');
        [canvas.width, canvas.height] = [640, 360];
        const context = canvas.getContext('2d');
        g.setInterval(() => {
          context.fillStyle = '#e01010';
          context.fillRect(0, 0, 640, 360);
        }, 40);
        await g.session.publish('primary', canvas.captureStream(25));
      },
      { baseUrl: platform.url, applicationId: app.id, conferenceId, token: publisher.token },
    );
    await waitFor(
      () => samplePlayedVideo(viewer.page, [[80, 360]]),
      (sampled) => sampled !== null && isRed(sampled.samples[0]),
      20_000,
    );
    expect(await sentVideoCodecs(page)).toEqual(['video/VP9']);
  });
});
