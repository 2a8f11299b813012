// Headless Chromium with fake devices (the flags of tests/e2e/harness) and a page origin serving our web
// client as `window.Mind`, for the benchmarks that join real participants.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, stop } from 'esbuild';
import { chromium } from 'playwright-core';
import { ROOT } from './platform.mjs';

const FLAGS = JSON.parse(readFileSync(join(ROOT, 'tests/e2e/harness/chromium-flags.json'), 'utf8'));

/** Serves `/mind.js` (libs/web-client bundled) and a page that loads it; answers its origin. */
export async function webClientPages() {
  const bundle = await build({
    entryPoints: [join(ROOT, 'libs/web-client/src/index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'Mind',
    write: false,
    tsconfig: join(ROOT, 'libs/web-client/tsconfig.json'),
  }).finally(() => stop());
  const script = bundle.outputFiles[0].text;
  const server = createServer((request, response) => {
    if (request.url === '/mind.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      return response.end(script);
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><script src="/mind.js"></script>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** Debian's Chromium, headless; `fakeMicrophone`: a WAV file its microphone plays instead of beeps. */
export function launchChromium({ fakeMicrophone } = {}) {
  const args = fakeMicrophone ? [...FLAGS, `--use-file-for-fake-audio-capture=${fakeMicrophone}`] : FLAGS;
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
}
