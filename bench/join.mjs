// Join latency of the participant protocol, per publishing codec, in headless Chromium against a
// platform with one media node: from the first offer to the notification channel being open, and to the
// first decoded frame of a remote camera the participant subscribes to right after joining. Baseline in
// the same run: two PeerConnections of one page connected directly (no server), from the offer to the
// first decoded frame. Prints p50/p95 over BENCH_JOINS joins (default 20), one after the other.
// Needs `npm run build` and the cached worker.
import os from 'node:os';
import { launchChromium, webClientPages } from './lib/browser.mjs';
import { api, createApplication, startPlatform, stopPlatform } from './lib/platform.mjs';

const JOINS = Number(process.env.BENCH_JOINS ?? 20);
/** Publishing modes as Mind SDKs publish: by default, with a node that prefers H264, with the VP9 option. */
const MODES = [
  { codec: 'VP8', label: 'VP8 simulcast (SDK default)', env: {}, setup: {} },
  {
    codec: 'H264',
    label: 'H264 simulcast (node prefers H264)',
    env: { MIND_MEDIA_SIMULCAST_CODECS: 'H264,VP8' },
    setup: {},
  },
  { codec: 'VP9', label: 'VP9 SVC (SDK VP9 option)', env: {}, setup: { useVp9ForSendingVideo: true } },
].filter((mode) => (process.env.BENCH_CODECS ?? 'VP8,H264,VP9').split(',').includes(mode.codec));
/** A page of its own; with `chromeUserAgent`, it says ` Chrome/NNN` (the SDK's VP9 option needs it). */
async function newPage(browser, origin, chromeUserAgent) {
  let context = await browser.newContext();
  let page = await context.newPage();
  if (chromeUserAgent) {
    const userAgent = (await page.evaluate(() => navigator.userAgent)).replace('HeadlessChrome/', 'Chrome/');
    await context.close();
    context = await browser.newContext({ userAgent });
    page = await context.newPage();
  }
  await page.goto(origin);
  await page.waitForFunction('"Mind" in window');
  // ms from `t0` until a video element shows its first frame (NaN after 15 s).
  await page.evaluate(() => {
    window.firstFrame = (video, t0) =>
      Promise.race([
        new Promise((resolve) => video.requestVideoFrameCallback(() => resolve(performance.now() - t0))),
        new Promise((resolve) => setTimeout(() => resolve(NaN), 15000)),
      ]);
  });
  return { page, close: () => context.close() };
}

/**
 * Joins in a fresh page; resolves with ms to channel open and to the first remote frame, and the codec
 * that frame was decoded from.
 */
async function timedJoin(browser, origin, options, watchLabel, publish) {
  const { page, close } = await newPage(browser, origin, options.useVp9ForSendingVideo);
  const result = await page.evaluate(
    async ({ options, watchLabel, publish }) => {
      const session = new window.Mind.ParticipantSession(options);
      window.session = session;
      const t0 = performance.now();
      let open = NaN;
      session.on('connected', () => (open = performance.now() - t0));
      await session.join();
      if (publish) {
        await session.publish(
          'primary',
          await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } }),
        );
      }
      if (!watchLabel) return { open };
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      const frame = window.firstFrame(video, t0);
      video.srcObject = await session.subscribe(watchLabel);
      document.body.appendChild(video);
      const shown = await frame;
      const report = await session.pc.getStats();
      let codec = '';
      report.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') codec = report.get(s.codecId)?.mimeType ?? '';
      });
      return { open, frame: shown, codec };
    },
    { options, watchLabel, publish },
  );
  return { ...result, close };
}

/** Two PeerConnections in one page, connected directly: offer to first decoded frame of the camera. */
async function directCall(browser, origin) {
  const { page, close } = await newPage(browser, origin, false);
  const frame = await page.evaluate(async () => {
    const camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
    const [sender, receiver] = [new RTCPeerConnection(), new RTCPeerConnection()];
    sender.onicecandidate = (e) => e.candidate && receiver.addIceCandidate(e.candidate);
    receiver.onicecandidate = (e) => e.candidate && sender.addIceCandidate(e.candidate);
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    receiver.ontrack = (e) => (video.srcObject = new MediaStream([e.track]));
    document.body.appendChild(video);
    const t0 = performance.now();
    const shown = window.firstFrame(video, t0);
    sender.addTrack(camera.getVideoTracks()[0]);
    await sender.setLocalDescription(await sender.createOffer());
    await receiver.setRemoteDescription(sender.localDescription);
    await receiver.setLocalDescription(await receiver.createAnswer());
    await sender.setRemoteDescription(receiver.localDescription);
    return shown;
  });
  await close();
  return frame;
}

const percentile = (values, p) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** One publisher in a conference of its own, then JOINS joiners one after the other, each watching it. */
async function measureMode(browser, origin, mode) {
  const platform = await startPlatform({
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://mind:mind@127.0.0.1:5432/mind_bench',
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    media: true,
    env: mode.env,
  });
  try {
    const app = await createApplication(platform.env);
    const conference = await api(platform.url, 'POST', `/${app.id}`, app.token, { name: 'join bench' });
    const participant = async (name) =>
      api(platform.url, 'POST', `/${app.id}/${conference.id}/participants`, app.token, { name });
    const options = (token, setup = {}) => ({
      baseUrl: platform.url,
      applicationId: app.id,
      conferenceId: conference.id,
      token,
      ...setup,
    });
    const publisher = await participant('publisher');
    const sender = await timedJoin(browser, origin, options(publisher.token, mode.setup), null, true);
    const opens = [];
    const frames = [];
    const codecs = new Set();
    for (let i = 0; i < JOINS; i++) {
      const joiner = await participant(`joiner ${i}`);
      const { open, frame, codec, close } = await timedJoin(
        browser,
        origin,
        options(joiner.token),
        `${publisher.id}#primary`,
        false,
      );
      opens.push(open);
      frames.push(frame);
      codecs.add(codec);
      await close();
      await api(platform.url, 'DELETE', `/${app.id}/${conference.id}/participants/${joiner.id}`, app.token);
    }
    await sender.close();
    await api(platform.url, 'DELETE', `/${app.id}/${conference.id}`, app.token);
    return { opens, frames, codecs: [...codecs].join(' ') };
  } finally {
    await stopPlatform(platform);
  }
}

async function main() {
  const pages = await webClientPages();
  const { origin } = pages;
  const browser = await launchChromium();
  try {
    const rows = [];
    const direct = [];
    for (let i = 0; i < JOINS; i++) direct.push(await directCall(browser, origin));
    rows.push({ label: 'baseline: direct call, no server', opens: [], frames: direct, codecs: 'video/VP8' });
    for (const mode of MODES) rows.push({ label: mode.label, ...(await measureMode(browser, origin, mode)) });

    const cpu = os.cpus();
    console.log(
      `machine: ${cpu.length} x ${cpu[0]?.model}; node ${process.version}; ${JOINS} joins per mode, one at a time`,
    );
    console.log(
      'publishing                           offer->channel open  offer->first remote frame  failed  decoded',
    );
    console.log('                                      p50 ms   p95 ms      p50 ms   p95 ms');
    const ms = (values, p) => (values.length ? percentile(values, p).toFixed(0) : '-').padStart(6);
    for (const { label, opens, frames, codecs } of rows) {
      const failed = frames.filter((v) => !Number.isFinite(v)).length;
      console.log(
        `${label.padEnd(36)}  ${ms(opens, 50)}   ${ms(opens, 95)}      ${ms(frames, 50)}   ${ms(frames, 95)}  ${String(failed).padStart(6)}  ${codecs}`,
      );
      if (failed > 0) process.exitCode = 1;
    }
  } finally {
    await browser.close();
    pages.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
