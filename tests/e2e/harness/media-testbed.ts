import type { BrowserContext } from 'playwright-core';
import { AppSocket } from './app-socket';
import { BrowserHarness } from './browser';
import { client } from './http';
import { joinParticipant, type ClientSetup } from './participants';
import { Platform } from './platform';

export interface MediaTestbed {
  platform: Platform;
  browser: BrowserHarness;
  app: { id: string; token: string };
  /** Creates a participant of the testbed's application and joins it from a fresh page. */
  join(
    conferenceId: string,
    name: string,
    publish: boolean,
    setup?: ClientSetup,
  ): ReturnType<typeof joinParticipant>;
  /** Creates a conference of the testbed's application and opens its application socket. */
  conference(name: string): Promise<{ id: string; socket: AppSocket }>;
}

/**
 * For a describe block: a platform with a media node (`env` adds to its environment when it starts),
 * headless Chromium and an application, started
 * before its tests and stopped after them; the pages a test opens are closed after it.
 */
export function useMediaTestbed(env: () => NodeJS.ProcessEnv = () => ({})): MediaTestbed {
  const testbed = {} as MediaTestbed;
  beforeAll(async () => {
    testbed.platform = await Platform.start(env(), { media: true });
    testbed.browser = await BrowserHarness.start();
    testbed.app = await testbed.platform.createApplication({ maxParticipants: 10 });
    testbed.join = (conferenceId, name, publish, setup) =>
      joinParticipant(testbed.browser, testbed.platform, testbed.app, conferenceId, name, publish, setup);
    testbed.conference = async (name) => {
      const { platform, app } = testbed;
      const created = (await client(platform.url, app.token).post(`/${app.id}`, { name })).body;
      return { id: created.id, socket: await AppSocket.open(platform.url, app.id, created.id, app.token) };
    };
  });
  // Each test's participants leave with it, so that the next test does not share the CPU with them
  // (those of the block's `beforeAll` stay).
  let before = new Set<BrowserContext>();
  let marks = new Map<string, number>();
  beforeEach(() => {
    before = testbed.browser.openPages();
    marks = testbed.platform.logMarks();
  });
  afterEach(async () => {
    await testbed.browser?.closePagesSince(before);
    // What went wrong inside the services shows next to the test (their logs live only in memory).
    const errors = testbed.platform?.errorsSince(marks) ?? {};
    if (Object.keys(errors).length > 0)
      console.warn(`service errors during the test: ${JSON.stringify(errors, null, 1)}`);
  });
  afterAll(async () => {
    await testbed.browser?.close();
    await testbed.platform?.close();
  });
  return testbed;
}
