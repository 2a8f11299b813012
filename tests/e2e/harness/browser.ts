import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import { build, stop } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import chromiumFlags from './chromium-flags.json';

const ROOT = join(__dirname, '../../..');

/** Flags shared with tools/capture-offers: headless, fake devices, no network calls of Chromium's own. */
export const CHROMIUM_ARGS: string[] = chromiumFlags;

let webClient: Promise<string> | undefined;

/** Our web client bundled as `window.Mind`, once per test file. */
function webClientScript(): Promise<string> {
  webClient ??= build({
    entryPoints: [join(ROOT, 'libs/web-client/src/index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'Mind',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    tsconfig: join(ROOT, 'libs/web-client/tsconfig.json'),
  })
    .then((bundle) => bundle.outputFiles[0].text)
    // esbuild's service process would otherwise outlive the test file's Jest worker.
    .finally(() => stop());
  return webClient;
}

/**
 * Headless Chromium (Debian's, with fake camera and microphone) and a page origin serving our web
 * client as `window.Mind`, so tests drive real participants over real WebRTC. The page is on another
 * origin than the API, as a customer's web application would be (CORS included).
 */
export class BrowserHarness {
  private constructor(
    readonly browser: Browser,
    private readonly server: Server,
    readonly origin: string,
  ) {}

  /** `fakeMicrophone`: a WAV file the fake microphone plays (in a loop) instead of its beeps. */
  static async start(options: { fakeMicrophone?: string } = {}): Promise<BrowserHarness> {
    const script = await webClientScript();
    const server = createServer((request, response) => {
      if (request.url === '/mind.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' });
        return response.end(script);
      }
      if (request.url === '/' || request.url?.startsWith('/?')) {
        response.writeHead(200, { 'content-type': 'text/html' });
        return response.end('<!doctype html><html><body><script src="/mind.js"></script></body></html>');
      }
      response.writeHead(404);
      response.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        ...CHROMIUM_ARGS,
        ...(options.fakeMicrophone ? [`--use-file-for-fake-audio-capture=${options.fakeMicrophone}`] : []),
      ],
    });
    return new BrowserHarness(browser, server, `http://127.0.0.1:${port}`);
  }

  /**
   * A fresh page (own context: own cookies, own media devices) with `window.Mind` loaded. With
   * `chromeUserAgent`, the page says ` Chrome/NNN` where headless Chromium says `HeadlessChrome/NNN`
   * (Mind SDKs read the version from there).
   */
  async page(options: { chromeUserAgent?: boolean } = {}): Promise<Page> {
    const userAgent = options.chromeUserAgent
      ? (await this.defaultUserAgent()).replace('HeadlessChrome/', 'Chrome/')
      : undefined;
    const context = await this.browser.newContext(userAgent ? { userAgent } : {});
    const page = await context.newPage();
    await page.goto(this.origin);
    await page.waitForFunction('"Mind" in window');
    return page;
  }

  private async defaultUserAgent(): Promise<string> {
    const context = await this.browser.newContext();
    const page = await context.newPage();
    const userAgent = await page.evaluate(() => (globalThis as any).navigator.userAgent as string);
    await context.close();
    return userAgent;
  }

  /** The pages open now, for `closePagesSince`. */
  openPages(): Set<BrowserContext> {
    return new Set(this.browser.contexts());
  }

  /** Closes the pages opened after `before` was taken: their participants leave and stop costing CPU. */
  async closePagesSince(before: Set<BrowserContext>): Promise<void> {
    await Promise.all(
      this.browser
        .contexts()
        .filter((context) => !before.has(context))
        .map((context) => context.close()),
    );
  }

  async close(): Promise<void> {
    await this.browser.close();
    this.server.close();
  }
}
