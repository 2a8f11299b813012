// Captures real browser SDP offers as test fixtures for libs/sdp (see README.md beside this file).
//
//   node tools/capture-offers/capture.mjs [--browser chromium|firefox|all] [--out DIR] [--raw DIR]
//
// Serves page.html / page.js on 127.0.0.1 (random port); the page builds Mind-client offers
// (one PeerConnection, negotiated data channel first, then the fixed m-line layout, SDK-style msid
// munging). Chromium is driven with playwright-core; Firefox ESR is started as a plain headless
// process with a throw-away profile and POSTs its results back to the server.
// Writes <browser>-<scenario>.sdp into --out (default libs/sdp/fixtures), byte for byte as the page
// produced them (CRLF), then derives chromium-ssrc-sim.sdp (see ssrc-sim.mjs).
// --raw DIR also writes the offers as createOffer returned them, before munging.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSsrcSim } from './ssrc-sim.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX_PATH ?? 'firefox-esr';
const CHROMIUM_SCENARIOS = [
  'datachannel-only',
  'full-camera-mic',
  'screen-share',
  'four-inactive',
  'renegotiation',
  'new-ice-credentials',
];
const FIREFOX_SCENARIOS = ['datachannel-only', 'full-camera-mic'];
const FIREFOX_TIMEOUT_MS = 180_000;

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const which = option('--browser', 'all');
const outDir = resolve(option('--out', join(root, 'libs/sdp/fixtures')));
const rawDir = option('--raw') ? resolve(option('--raw')) : null;

// ---------------------------------------------------------------------------------------------

let onResults = () => {};

function startServer() {
  const files = {
    '/': ['page.html', 'text/html; charset=utf-8'],
    '/page.html': ['page.html', 'text/html; charset=utf-8'],
    '/page.js': ['page.js', 'text/javascript; charset=utf-8'],
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    if (req.method === 'POST' && path === '/results') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(204).end();
        onResults(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
      return;
    }
    const file = files[path];
    if (req.method !== 'GET' || !file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file[1], 'Cache-Control': 'no-store' });
    res.end(readFileSync(join(here, file[0])));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

function save(browser, { userAgent, results, errors }) {
  console.log(`${browser}: ${userAgent}`);
  mkdirSync(outDir, { recursive: true });
  if (rawDir) mkdirSync(rawDir, { recursive: true });
  for (const [name, { sdp, raw }] of Object.entries(results)) {
    const file = join(outDir, `${browser}-${name}.sdp`);
    writeFileSync(file, sdp);
    if (rawDir) writeFileSync(join(rawDir, `${browser}-${name}.raw.sdp`), raw);
    console.log(`  wrote ${file}`);
  }
  for (const [name, error] of Object.entries(errors)) console.error(`  FAILED ${browser} ${name}: ${error}`);
  return Object.keys(errors).length === 0;
}

async function captureChromium(base) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: JSON.parse(
      readFileSync(new URL('../../tests/e2e/harness/chromium-flags.json', import.meta.url), 'utf8'),
    ),
  });
  try {
    console.log(`chromium ${browser.version()}`);
    const page = await browser.newPage();
    page.on('console', (m) => console.log(`  [page] ${m.text()}`));
    await page.goto(`${base}/page.html`);
    const body = await page.evaluate((names) => window.captureOffers(names), CHROMIUM_SCENARIOS);
    const ok = save('chromium', body);
    if (body.results['full-camera-mic']) console.log(`  wrote ${writeSsrcSim(outDir)}`);
    return ok;
  } finally {
    await browser.close();
  }
}

async function captureFirefox(base) {
  console.log(execFileSync(FIREFOX, ['--version'], { encoding: 'utf8' }).trim());
  const profile = mkdtempSync(join(tmpdir(), 'capture-offers-ff-'));
  const prefs = {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    // Offline machine: keep Firefox from phoning home or downloading OpenH264.
    'app.update.enabled': false,
    'app.update.auto': false,
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.aboutwelcome.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'media.gmp-manager.updateEnabled': false,
    'media.gmp-gmpopenh264.autoupdate': false,
    'services.settings.server': 'http://127.0.0.1:9/',
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
  };
  writeFileSync(
    join(profile, 'user.js'),
    Object.entries(prefs)
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`)
      .join(''),
  );
  const url = `${base}/page.html?autorun=1&browser=firefox&scenarios=${FIREFOX_SCENARIOS.join(',')}`;
  const child = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, url], {
    detached: true, // own process group, so the whole Firefox tree can be stopped below
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOZ_HEADLESS: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const body = await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('firefox timed out')), FIREFOX_TIMEOUT_MS);
      child.on('exit', (code) => fail(new Error(`firefox exited early (${code}): ${stderr.slice(-2000)}`)));
      onResults = (b) => {
        clearTimeout(timer);
        ok(b);
      };
    });
    return save('firefox', body);
  } finally {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await new Promise((ok) => setTimeout(ok, 1000));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    rmSync(profile, { recursive: true, force: true });
  }
}

const server = await startServer();
const base = `http://127.0.0.1:${server.address().port}`;
let ok = true;
try {
  if (which === 'chromium' || which === 'all') ok = (await captureChromium(base)) && ok;
  if (which === 'firefox' || which === 'all') ok = (await captureFirefox(base)) && ok;
} finally {
  server.close();
}
process.exit(ok ? 0 : 1);
