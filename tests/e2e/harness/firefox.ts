import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import puppeteer, { type Browser } from 'puppeteer-core';
import { joinFromPage, type Joined } from './participants';
import type { Platform } from './platform';

/** A Firefox page, as the shared helpers use pages (they only evaluate scripts in them). */
export type FirefoxJoined = Omit<Joined, 'page'> & { page: Pick<Page, 'evaluate'> };

/**
 * Debian's Firefox ESR, driven over WebDriver BiDi (puppeteer-core; playwright drives only its own
 * Firefox build), with fake camera and microphone and nothing fetched from the network. Its pages
 * load our web client from the Chromium harness's origin.
 */
export class FirefoxHarness {
  private constructor(
    private readonly browser: Browser,
    private readonly origin: string,
    private readonly profile: string,
  ) {}

  static async start(origin: string): Promise<FirefoxHarness> {
    const profile = mkdtempSync(join(tmpdir(), 'mind-firefox-'));
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
      headless: true,
      userDataDir: profile,
      extraPrefsFirefox: {
        'media.navigator.streams.fake': true,
        'media.navigator.permission.disabled': true,
        'media.gmp-manager.updateEnabled': false,
        'media.gmp-gmpopenh264.enabled': false,
        'app.update.enabled': false,
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
      },
    });
    return new FirefoxHarness(browser, origin, profile);
  }

  /** A participant created by the application and joined from a new Firefox page (`joinInPage`). */
  async join(
    platform: Platform,
    app: { id: string; token: string },
    conferenceId: string,
    name: string,
    publish: boolean,
  ): Promise<FirefoxJoined> {
    const page = await this.browser.newPage();
    await page.goto(this.origin);
    await page.waitForFunction('"Mind" in window');
    const evaluate = ((script: never, argument: never) =>
      page.evaluate(script, argument)) as Page['evaluate'];
    const joined = await joinFromPage({ evaluate }, platform, app, conferenceId, name, publish);
    return { page: { evaluate }, ...joined };
  }

  async close(): Promise<void> {
    await this.browser.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
