import type { Page } from 'playwright-core';
import type { BrowserHarness } from './browser';
import { client } from './http';
import type { Platform } from './platform';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Joined {
  page: Page;
  id: string;
  token: string;
}

/** Inbound RTP of a page's PeerConnection, per kind. */
export async function inbound(page: Pick<Page, 'evaluate'>) {
  return page.evaluate(async () => {
    const g = globalThis as any;
    const report = await g.session.pc.getStats();
    const out: {
      kind: string;
      ssrc: number;
      /** e.g. `video/VP9`. */
      codec?: string;
      framesDecoded?: number;
      frameWidth?: number;
      packetsReceived?: number;
    }[] = [];
    report.forEach((s: any) => {
      if (s.type === 'inbound-rtp') {
        out.push({
          kind: s.kind,
          ssrc: s.ssrc,
          codec: s.codecId ? report.get(s.codecId)?.mimeType : undefined,
          framesDecoded: s.framesDecoded,
          frameWidth: s.frameWidth,
          packetsReceived: s.packetsReceived,
        });
      }
    });
    return out;
  });
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 15000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!ok(value)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await sleep(250);
    value = await probe();
  }
  return value;
}

/** How a test participant's client is set up, as an application would set up the SDK. */
export interface ClientSetup {
  /** The SDK's VP9 option; the page then says ` Chrome/NNN` in its user agent, as the SDK requires. */
  useVp9ForSendingVideo?: boolean;
}

/** What a page needs to join: where, as whom, and how its client is set up. */
export interface PageJoin {
  baseUrl: string;
  applicationId: string;
  conferenceId: string;
  token: string;
  publish: boolean;
  setup: ClientSetup;
}

/**
 * Runs in a page (Chromium or Firefox): joins with our web client as `window.session`, keeps its
 * `notifications` and `endedWith`, and defines `watch(label)`, which subscribes and plays a stream in
 * a muted `<video>` so that it is really decoded. With `publish`, sends the fake camera and microphone.
 */
export async function joinInPage({ baseUrl, applicationId, conferenceId, token, publish, setup }: PageJoin) {
  const g = globalThis as any;
  const session = new g.Mind.ParticipantSession({ baseUrl, applicationId, conferenceId, token, ...setup });
  g.session = session;
  g.notifications = [];
  g.endedWith = null;
  session.on('notification', (n: unknown) => g.notifications.push(n));
  session.on('ended', (reason: string) => (g.endedWith = reason));
  g.watch = async (label: string, kinds?: ('audio' | 'video')[]) => {
    const video = g.document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.srcObject = await session.subscribe(label, {}, kinds);
    g.document.body.appendChild(video);
  };
  await session.join();
  if (publish) {
    const stream = await g.navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 640, height: 360, frameRate: 15 },
    });
    await session.publish('primary', stream);
  }
}

/**
 * A participant created by the application and joined from a page with our web client loaded
 * (`joinInPage`, in Chromium or Firefox): its id and token.
 */
export async function joinFromPage(
  page: Pick<Page, 'evaluate'>,
  platform: Platform,
  app: { id: string; token: string },
  conferenceId: string,
  name: string,
  publish: boolean,
  setup: ClientSetup = {},
): Promise<{ id: string; token: string }> {
  const participant = (
    await client(platform.url, app.token).post(`/${app.id}/${conferenceId}/participants`, { name })
  ).body;
  await page.evaluate(joinInPage, {
    baseUrl: platform.url,
    applicationId: app.id,
    conferenceId,
    token: participant.token,
    publish,
    setup,
  });
  return { id: participant.id, token: participant.token };
}

/** A participant joined from a fresh Chromium page (`joinFromPage`). */
export async function joinParticipant(
  browser: BrowserHarness,
  platform: Platform,
  app: { id: string; token: string },
  conferenceId: string,
  name: string,
  publish: boolean,
  setup: ClientSetup = {},
): Promise<Joined> {
  const page = await browser.page({ chromeUserAgent: setup.useVp9ForSendingVideo });
  return { page, ...(await joinFromPage(page, platform, app, conferenceId, name, publish, setup)) };
}

/**
 * Shares a "screen" as secondary media: a 1280x720 canvas painted with one colour, or with a colour
 * that keeps changing (so that every frame differs) when none is given.
 */
export async function shareScreen(page: Page, color?: string): Promise<void> {
  await page.evaluate(async (fixed) => {
    const g = globalThis as any;
    const canvas = g.document.createElement('canvas');
    canvas.width = 1280;
    canvas.height = 720;
    const context = canvas.getContext('2d');
    let frame = 0;
    g.setInterval(() => {
      context.fillStyle = fixed ?? `hsl(${(frame++ * 7) % 360} 80% 50%)`;
      context.fillRect(0, 0, 1280, 720);
    }, 40);
    await g.session.publish('secondary', canvas.captureStream(25));
  }, color ?? null);
}

/** Publishes the fake camera with a pure tone instead of the fake microphone, to tell voices apart. */
export async function publishWithTone(page: Page, hz: number): Promise<void> {
  await page.evaluate(async (frequency) => {
    const g = globalThis as any;
    const audio = new g.AudioContext();
    const oscillator = audio.createOscillator();
    oscillator.frequency.value = frequency;
    const gain = audio.createGain();
    gain.gain.value = 0.3;
    const destination = audio.createMediaStreamDestination();
    oscillator.connect(gain).connect(destination);
    oscillator.start();
    const camera = await g.navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
    await g.session.publish(
      'primary',
      new g.MediaStream([...destination.stream.getAudioTracks(), ...camera.getVideoTracks()]),
    );
  }, hz);
}

/** Leaves (closing the PeerConnection, as SDKs do) and joins again with a fresh one, then sends again. */
export async function rejoin(page: Page) {
  await page.evaluate(async () => {
    const g = globalThis as any;
    g.session.leave();
    await g.session.join();
    const stream = await g.navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 640, height: 360 },
    });
    await g.session.publish('primary', stream);
  });
}

/** Level (dB) of the strongest bin near each frequency in the `conference` audio a page receives. */
export function conferenceSpectrum(page: Page, frequencies: number[]) {
  return page.evaluate(async (wanted) => {
    const g = globalThis as any;
    const video = [...g.document.querySelectorAll('video')].find(
      (v: any) => v.srcObject?.getAudioTracks().length,
    );
    if (!g.analyser) {
      const context = new g.AudioContext();
      g.analyser = context.createAnalyser();
      g.analyser.fftSize = 8192;
      g.analyser.smoothingTimeConstant = 0.5;
      context.createMediaStreamSource(video.srcObject).connect(g.analyser);
      await new Promise((resolve) => g.setTimeout(resolve, 1000));
    }
    const bins = new Float32Array(g.analyser.frequencyBinCount);
    g.analyser.getFloatFrequencyData(bins);
    const hzPerBin = g.analyser.context.sampleRate / g.analyser.fftSize;
    return wanted.map((hz: number) => {
      const centre = Math.round(hz / hzPerBin);
      return Math.max(...bins.slice(centre - 3, centre + 4));
    });
  }, frequencies);
}
