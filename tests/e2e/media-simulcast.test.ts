import type { Page } from 'playwright-core';
import { client, useMediaTestbed, waitFor, type Joined } from './harness';

/**
 * The publisher's camera: Chromium's fake device at 1280x720 with three simulcast layers, each twice the
 * size of the one below (Chromium sends three layers only from 960x540 up; at 640x480 it drops `h`).
 * The layer sizes are those the media node's frame-area thresholds are cut for (320x180, 640x360).
 */
const CAMERA = { width: 1280, height: 720, frameRate: 15 };
const CAMERA_LAYERS = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];
const LOW = { width: 320, height: 180 };
const MID = { width: 640, height: 360 };
const HIGH = { width: 1280, height: 720 };
type Size = typeof LOW;
type Hints = {
  maxBitrate?: number;
  preferences?: { maxFrameArea: number; maxFrameRate: number };
};

/** Video the page sends, per simulcast rid. */
async function sentLayers(page: Page) {
  return page.evaluate(async () => {
    const out: { rid: string; frameWidth?: number; frameHeight?: number; framesSent?: number }[] = [];
    (await (globalThis as any).session.pc.getStats()).forEach((s: any) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        out.push({
          rid: s.rid,
          frameWidth: s.frameWidth,
          frameHeight: s.frameHeight,
          framesSent: s.framesSent,
        });
      }
    });
    return out;
  });
}

/** The video the page receives (it subscribes to one stream only). */
async function receivedVideo(page: Page) {
  return page.evaluate(async () => {
    type Received = { frameWidth?: number; frameHeight?: number; framesDecoded: number; fps: number };
    let video: Received | null = null;
    (await (globalThis as any).session.pc.getStats()).forEach((s: any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        video = {
          frameWidth: s.frameWidth,
          frameHeight: s.frameHeight,
          framesDecoded: s.framesDecoded ?? 0,
          fps: s.framesPerSecond ?? 0,
        };
      }
    });
    return video as Received | null;
  });
}

/** Subscribes to the video of a stream with hints and plays it in a muted <video>, so that it is decoded. */
async function subscribeVideo(page: Page, label: string, hints: Hints) {
  await page.evaluate(
    async ([label, hints]) => {
      const g = globalThis as any;
      const video = g.document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.srcObject = await g.session.subscribe(label, hints, ['video']);
      g.document.body.appendChild(video);
    },
    [label, hints] as const,
  );
}

/**
 * Waits until the page decodes frames of `size` steadily (5 frames in a row at that size; the SFU may
 * start on a lower layer and switch up on a key frame) at more than half the camera's 15 fps (every
 * temporal layer is forwarded), and returns every frame size it decoded on the way.
 */
async function settlesOn(page: Page, size: Size): Promise<string[]> {
  const seen = new Set<string>();
  let streakFrom: number | null = null;
  await waitFor(
    async () => {
      const video = await receivedVideo(page);
      if (video?.frameWidth) seen.add(`${video.frameWidth}x${video.frameHeight}`);
      return { video, seen: [...seen] };
    },
    ({ video }) => {
      if (video?.frameWidth !== size.width || video.frameHeight !== size.height) {
        streakFrom = null;
        return false;
      }
      streakFrom ??= video.framesDecoded;
      return video.framesDecoded >= streakFrom + 5 && video.fps >= 8;
    },
    25000,
  );
  return [...seen];
}

const widthOf = (size: string) => Number(size.split('x')[0]);

/** How the publisher sends its 1280x720 camera, and what it sends once its estimate has ramped up. */
interface Publishing {
  options: Record<string, unknown>;
  /** The SDK's VP9 option needs a user agent with ` Chrome/NNN`. */
  chromeUserAgent: boolean;
  rampedUp: (layers: Awaited<ReturnType<typeof sentLayers>>) => boolean;
}

const sends = (layers: Awaited<ReturnType<typeof sentLayers>>, rid: string | undefined, size: Size) =>
  layers.some(
    (s) =>
      s.rid === rid &&
      s.frameWidth === size.width &&
      s.frameHeight === size.height &&
      (s.framesSent ?? 0) > 0,
  );

describe.each<[string, Publishing]>([
  [
    'SFU simulcast: each subscriber receives the layer its hints ask for',
    {
      options: { cameraLayers: CAMERA_LAYERS },
      chromeUserAgent: false,
      // Chromium sends all three layers.
      rampedUp: (layers) =>
        Object.entries({ l: LOW, m: MID, h: HIGH }).every(([rid, size]) => sends(layers, rid, size)),
    },
  ],
  [
    'SFU VP9 SVC (the SDK’s VP9 option): each subscriber receives the spatial layer its hints ask for',
    {
      options: { useVp9ForSendingVideo: true },
      chromeUserAgent: true,
      // One encoding of three spatial layers (L3T3_KEY), the top one the camera's size.
      rampedUp: (layers) => sends(layers, undefined, HIGH),
    },
  ],
])('%s', (_title, publishing) => {
  const testbed = useMediaTestbed();
  let conferenceId: string;
  let publisher: Joined;
  let label: string;

  beforeAll(async () => {
    const conference = await testbed.conference('simulcast');
    conference.socket.close();
    conferenceId = conference.id;
    const { platform, app } = testbed;
    const participant = (
      await client(platform.url, app.token).post(`/${app.id}/${conferenceId}/participants`, { name: 'Pub' })
    ).body;
    const page = await testbed.browser.page({ chromeUserAgent: publishing.chromeUserAgent });
    await page.evaluate(
      async ({ options, camera }) => {
        const g = globalThis as any;
        g.session = new g.Mind.ParticipantSession(options);
        await g.session.join();
        await g.session.publish('primary', await g.navigator.mediaDevices.getUserMedia({ video: camera }));
      },
      {
        options: {
          baseUrl: platform.url,
          applicationId: app.id,
          conferenceId,
          token: participant.token,
          ...publishing.options,
        },
        camera: CAMERA,
      },
    );
    publisher = { page, id: participant.id, token: participant.token };
    label = `${publisher.id}#primary`;
    // Precondition: Chromium sends every layer (its bandwidth estimate ramps up to the top one).
    await waitFor(() => sentLayers(page), publishing.rampedUp, 25000);
  });

  /** Subscribers join and subscribe with their hints; each must settle on its size and never exceed it. */
  async function expectLayers(cases: { name: string; hints: Hints; size: Size }[]) {
    const subscribers = await Promise.all(
      cases.map(async ({ name, hints }) => {
        const joined = await testbed.join(conferenceId, name, false);
        await subscribeVideo(joined.page, label, hints);
        return joined;
      }),
    );
    try {
      const seen = await Promise.all(cases.map(({ size }, i) => settlesOn(subscribers[i].page, size)));
      cases.forEach(({ name, size }, i) => {
        // A capped subscriber may get less while the estimate ramps up, never more than its layer.
        expect({ name, larger: seen[i].filter((s) => widthOf(s) > size.width) }).toEqual({
          name,
          larger: [],
        });
      });
    } finally {
      await Promise.all(subscribers.map((s) => s.page.context().close()));
    }
  }

  it('a=x-preferences: a 320x180 area gets the low layer, 640x360 the middle one, no hint the top one', async () => {
    await expectLayers([
      { name: 'Small', hints: { preferences: { maxFrameArea: 320 * 180, maxFrameRate: 15 } }, size: LOW },
      { name: 'Medium', hints: { preferences: { maxFrameArea: 640 * 360, maxFrameRate: 15 } }, size: MID },
      { name: 'Any', hints: {}, size: HIGH },
    ]);
  });

  it('b=TIAS: 150 kbps gets the low layer, 500 kbps the middle one, 3 Mbps the top one', async () => {
    await expectLayers([
      { name: 'Slow', hints: { maxBitrate: 150_000 }, size: LOW },
      { name: 'Fair', hints: { maxBitrate: 500_000 }, size: MID },
      { name: 'Fast', hints: { maxBitrate: 3_000_000 }, size: HIGH },
    ]);
  });
});
