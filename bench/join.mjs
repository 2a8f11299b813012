// Join latency of the participant protocol, measured in headless Chromium against a platform with one
// media node: from the first offer to the notification channel being open, and to the first decoded
// frame of a remote camera the participant subscribes to right after joining. Prints p50/p95 over
// BENCH_JOINS joins (default 20), one after the other. Needs `npm run build` and the cached worker.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import {
  ROOT,
  api,
  children,
  createApplication,
  deleteEventStream,
  startPlatform,
  stopChild,
} from './lib/platform.mjs';

const JOINS = Number(process.env.BENCH_JOINS ?? 20);
const flags = JSON.parse(readFileSync(join(ROOT, 'tests/e2e/harness/chromium-flags.json'), 'utf8'));

async function pageServer() {
  const bundle = await build({
    entryPoints: [join(ROOT, 'libs/web-client/src/index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'Mind',
    write: false,
    tsconfig: join(ROOT, 'libs/web-client/tsconfig.json'),
  });
  const server = createServer((request, response) => {
    if (request.url === '/mind.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      return response.end(bundle.outputFiles[0].text);
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><script src="/mind.js"></script>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Joins in a fresh page; resolves with milliseconds to channel open and to the first remote frame. */
async function timedJoin(browser, origin, options, watchLabel, publish) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(origin);
  await page.waitForFunction('"Mind" in window');
  const result = await page.evaluate(
    async ({ options, watchLabel, publish }) => {
      const session = new window.Mind.ParticipantSession(options);
      const t0 = performance.now();
      let open = NaN;
      session.on('connected', () => (open = performance.now() - t0));
      await session.join();
      if (publish) {
        await session.publish(
          'primary',
          await navigator.mediaDevices.getUserMedia({ audio: true, video: true }),
        );
      }
      if (!watchLabel) return { open };
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      const firstFrame = new Promise((resolve) =>
        video.requestVideoFrameCallback(() => resolve(performance.now() - t0)),
      );
      video.srcObject = await session.subscribe(watchLabel);
      document.body.appendChild(video);
      const frame = await Promise.race([
        firstFrame,
        new Promise((resolve) => setTimeout(() => resolve(NaN), 15000)),
      ]);
      return { open, frame };
    },
    { options, watchLabel, publish },
  );
  return { ...result, close: () => context.close() };
}

const percentile = (values, p) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function main() {
  const platform = await startPlatform({
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://mind:mind@127.0.0.1:5432/mind_bench',
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    media: true,
  });
  const { server, origin } = await pageServer();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: flags });
  try {
    const app = await createApplication(platform.env);
    const conference = await api(platform.url, 'POST', `/${app.id}`, app.token, { name: 'join bench' });
    const participant = async (name) =>
      api(platform.url, 'POST', `/${app.id}/${conference.id}/participants`, app.token, { name });
    const options = (token) => ({
      baseUrl: platform.url,
      applicationId: app.id,
      conferenceId: conference.id,
      token,
    });

    const publisher = await participant('publisher');
    const sender = await timedJoin(browser, origin, options(publisher.token), null, true);
    const opens = [];
    const frames = [];
    for (let i = 0; i < JOINS; i++) {
      const joiner = await participant(`joiner ${i}`);
      const { open, frame, close } = await timedJoin(
        browser,
        origin,
        options(joiner.token),
        `${publisher.id}#primary`,
        false,
      );
      opens.push(open);
      frames.push(frame);
      await close();
      await api(platform.url, 'DELETE', `/${app.id}/${conference.id}/participants/${joiner.id}`, app.token);
    }
    await sender.close();
    await api(platform.url, 'DELETE', `/${app.id}/${conference.id}`, app.token);

    const cpu = os.cpus();
    console.log(
      `machine: ${cpu.length} x ${cpu[0]?.model}; node ${process.version}; ${JOINS} joins, one at a time`,
    );
    console.log('measure                                   p50 ms   p95 ms   failed');
    for (const [label, values] of [
      ['first offer -> data channel open', opens],
      ['first offer -> first remote frame decoded', frames],
    ]) {
      const failed = values.filter((v) => !Number.isFinite(v)).length;
      console.log(
        `${label.padEnd(42)}${percentile(values, 50).toFixed(0).padStart(6)}   ${percentile(values, 95).toFixed(0).padStart(6)}   ${failed}`,
      );
    }
    if (frames.some((v) => !Number.isFinite(v))) process.exitCode = 1;
  } finally {
    await browser.close();
    server.close();
    for (const entry of children) await stopChild(entry);
    await deleteEventStream(platform.env);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
