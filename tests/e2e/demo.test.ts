import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { concat, silence, speak, wavFile } from '@mind/asr/testing';
import { BrowserHarness } from './harness/browser';
import { Platform } from './harness/platform';

/** The demo web application `npm start` serves, driven the way a visitor uses it. */
describe('demo application', () => {
  let platform: Platform;
  let browser: BrowserHarness;
  let demoUrl: string;

  beforeAll(async () => {
    platform = await Platform.start({}, { media: true });
    await Promise.all([
      platform.startService('demo'),
      platform.startService('recording'),
      platform.startService('transcription'),
    ]);
    demoUrl = platform.healthUrl('demo');
    browser = await BrowserHarness.start();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  const visit = async (room: string, name: string, from = browser): Promise<Page> => {
    const page = await (await from.browser.newContext()).newPage();
    await page.goto(`${demoUrl}/?room=${room}`);
    await page.fill('#your-name', name);
    // A click, as a visitor joins: the gesture lets the page play remote audio.
    await page.click('#lobby button');
    return page;
  };

  /** What each tile of a page shows, for a failure to say what was seen instead. */
  const tilesOf = (page: Page) =>
    page.evaluate(() =>
      [...(globalThis as any).document.querySelectorAll('.tile')].map((tile: any) => {
        const video = tile.querySelector('video');
        return {
          name: tile.querySelector('.name')?.textContent,
          hasVideo: tile.classList.contains('has-video'),
          videoWidth: video?.videoWidth,
          currentTime: video?.currentTime,
        };
      }),
    );

  /** The tile of another visitor shows decoded video that keeps advancing. */
  const seesVideoOf = (page: Page, name: string) =>
    page
      .waitForFunction(
        (who) => {
          const tiles: any[] = [...(globalThis as any).document.querySelectorAll('.tile')];
          const tile = tiles.find((t) => t.querySelector('.name')?.textContent === who);
          const video = tile?.querySelector('video');
          return Boolean(
            tile?.classList.contains('has-video') && video && video.videoWidth > 0 && video.currentTime > 0.5,
          );
        },
        name,
        { timeout: 30_000 },
      )
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\ntiles seen: ${JSON.stringify(await tilesOf(page))}`);
      });

  it('serves the page and refuses bad joins with a clear error', async () => {
    const page = await fetch(`${demoUrl}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/demo.js');
    expect((await fetch(`${demoUrl}/demo.js`)).status).toBe(200);
    const join = (room: string, body: unknown) =>
      fetch(`${demoUrl}/rooms/${room}/participants`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await join('no%20spaces', { name: 'Ann' })).status).toBe(400);
    expect((await join('room', {})).status).toBe(400);
    expect((await join('room', { name: '' })).status).toBe(400);
  });

  it('puts two visitors of one room in one conference, with video and chat both ways', async () => {
    const ann = await visit('standup', 'Ann');
    const bob = await visit('standup', 'Bob');
    await seesVideoOf(ann, 'Bob');
    await seesVideoOf(bob, 'Ann');

    await ann.fill('#chat-text', 'hello from Ann');
    await ann.press('#chat-text', 'Enter');
    await bob.waitForFunction(() =>
      (globalThis as any).document.querySelector('#messages').textContent.includes('Ann: hello from Ann'),
    );

    // Leaving removes the tile from the other visitor's page.
    await ann.click('#leave');
    await bob.waitForFunction(
      () =>
        ![...(globalThis as any).document.querySelectorAll('.tile .name')].some((name: any) =>
          name.textContent.startsWith('Ann'),
        ),
      undefined,
      {
        timeout: 20_000,
      },
    );
    await ann.context().close();
    await bob.context().close();
  });

  it('shows the mixed view, and records the room into a recording with a preview to download', async () => {
    const cid = await visit('interview', 'Cid');
    await seesVideoOf(cid, 'Cid (you)');
    await cid.click('#mixed');
    await seesVideoOf(cid, 'Mixed: what the recording shows');
    expect(
      await cid.evaluate(() => {
        const tiles: any[] = [...(globalThis as any).document.querySelectorAll('.tile')];
        return tiles.find((t) => t.dataset.key === 'conference').querySelector('video').videoWidth;
      }),
    ).toBe(1280);

    await cid.click('#record');
    await cid.waitForFunction(
      () => (globalThis as any).document.querySelector('#record').textContent === '● Recording',
    );
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await cid.click('#record');
    // The preview is a quarter of the 1280x720 recording; the link downloads the MP4.
    await cid.waitForFunction(
      () => {
        const preview = (globalThis as any).document.querySelector('#recording-preview');
        return !preview.closest('[hidden]') && preview.complete && preview.naturalWidth === 320;
      },
      undefined,
      { timeout: 60_000 },
    );
    const link = await cid.getAttribute('#recording-link', 'href');
    const mp4 = await fetch(link!);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    expect((await mp4.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    await cid.context().close();
  }, 120_000);

  it('shows live captions of what visitors say, with their names', async () => {
    // Dee's microphone says a sentence (Debian's flite), after the time her connection takes.
    const work = mkdtempSync(join(tmpdir(), 'mind-demo-speech-'));
    const wav = join(work, 'dee.wav');
    writeFileSync(
      wav,
      wavFile(
        concat([
          silence(3000),
          speak('please send me the recording of the meeting tomorrow', 'slt'),
          silence(4000),
        ]),
      ),
    );
    const speaking = await BrowserHarness.start({ fakeMicrophone: wav });
    try {
      const eve = await visit('captions', 'Eve');
      const dee = await visit('captions', 'Dee', speaking);
      await eve.waitForFunction(
        () => {
          const captions = (globalThis as any).document.querySelector('#captions').textContent as string;
          return captions.includes('Dee: ') && captions.includes('recording');
        },
        undefined,
        { timeout: 40_000 },
      );
      await dee.context().close();
      await eve.context().close();
    } finally {
      await speaking.close();
      rmSync(work, { recursive: true, force: true });
    }
  }, 90_000);
});
