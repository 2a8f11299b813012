import type { Page } from 'playwright-core';
import { AppSocket, BrowserHarness, client, Platform } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Joined {
  page: Page;
  id: string;
}

/** Inbound RTP of a page's PeerConnection, per kind. */
async function inbound(page: Page) {
  return page.evaluate(async () => {
    const g = globalThis as any;
    const report = await g.session.pc.getStats();
    const out: { kind: string; framesDecoded?: number; frameWidth?: number; packetsReceived?: number }[] = [];
    report.forEach((s: any) => {
      if (s.type === 'inbound-rtp') {
        out.push({
          kind: s.kind,
          framesDecoded: s.framesDecoded,
          frameWidth: s.frameWidth,
          packetsReceived: s.packetsReceived,
        });
      }
    });
    return out;
  });
}

async function waitFor<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15000): Promise<T> {
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

describe('SFU: participants join from Chromium and exchange media', () => {
  let platform: Platform;
  let browser: BrowserHarness;
  let app: { id: string; token: string };

  beforeAll(async () => {
    platform = await Platform.start({}, { media: true });
    browser = await BrowserHarness.start();
    app = await platform.createApplication({ maxParticipants: 10 });
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  async function join(conferenceId: string, name: string, publish: boolean): Promise<Joined> {
    const api = client(platform.url, app.token);
    const participant = (await api.post(`/${app.id}/${conferenceId}/participants`, { name })).body;
    const page = await browser.page();
    await page.evaluate(
      async ({ baseUrl, applicationId, conferenceId, token, publish }) => {
        const g = globalThis as any;
        const session = new g.Mind.ParticipantSession({ baseUrl, applicationId, conferenceId, token });
        g.session = session;
        g.notifications = [];
        g.frames = [];
        g.endedWith = null;
        session.on('notification', (n: unknown) => g.notifications.push(n));
        session.on('ended', (reason: string) => (g.endedWith = reason));
        await session.join();
        if (publish) {
          const stream = await g.navigator.mediaDevices.getUserMedia({
            audio: true,
            video: { width: 640, height: 360, frameRate: 15 },
          });
          await session.publish('primary', stream);
        }
      },
      { baseUrl: platform.url, applicationId: app.id, conferenceId, token: participant.token, publish },
    );
    return { page, id: participant.id };
  }

  it('two participants join: online with media flags for the application and each other, and hear each other', async () => {
    const api = client(platform.url, app.token);
    const conference = (await api.post(`/${app.id}`, { name: 'sfu' })).body;
    const socket = await AppSocket.open(platform.url, app.id, conference.id, app.token);

    const a = await join(conference.id, 'Ann', true);
    const b = await join(conference.id, 'Bob', true);

    for (const who of [a, b]) {
      await socket.next(
        (n) =>
          n.location === `/participants/${who.id}` &&
          (n.resource as any)?.online === true &&
          (n.resource as any)?.media?.audio === true &&
          (n.resource as any)?.media?.video === true,
        15000,
      );
    }
    // A's data channel heard that B came online sending audio and video (A joined first).
    await waitFor(
      () => a.page.evaluate(() => (globalThis as any).notifications),
      (list: any[]) =>
        list.some((n) => n.location.endsWith(b.id) && n.resource?.online && n.resource?.media?.video),
    );
    // ...and it is never told about itself.
    const aboutSelf = await a.page.evaluate(
      (id) => (globalThis as any).notifications.filter((n: any) => n.location.endsWith(id)),
      a.id,
    );
    expect(aboutSelf).toEqual([]);

    await b.page.evaluate(async (label) => {
      const g = globalThis as any;
      const stream = await g.session.subscribe(label);
      const audio = g.document.createElement('audio');
      audio.srcObject = stream;
      g.document.body.appendChild(audio);
    }, `${a.id}#primary`);
    const heard = await waitFor(
      () => inbound(b.page),
      (stats) => (stats.find((s) => s.kind === 'audio')?.packetsReceived ?? 0) > 50,
    );
    expect(heard.find((s) => s.kind === 'audio')!.packetsReceived).toBeGreaterThan(50);
    socket.close();
  });

  it('an expelled participant gets "4001" and its token dies; the end of the conference sends "4000"', async () => {
    const api = client(platform.url, app.token);
    const conference = (await api.post(`/${app.id}`, { name: 'ends' })).body;
    const a = await join(conference.id, 'Ann', false);
    const b = await join(conference.id, 'Bob', false);
    const bToken = await b.page.evaluate(() => (globalThis as any).session.options.token);

    expect((await api.delete(`/${app.id}/${conference.id}/participants/${b.id}`)).status).toBe(200);
    await waitFor(
      () => b.page.evaluate(() => (globalThis as any).endedWith),
      (reason) => reason === 'expelled',
    );
    expect(
      (await client(platform.url, bToken).post(`/${app.id}/${conference.id}`, { sdp: 'v=0' })).status,
    ).toBe(401);
    // The other participant was told that B is gone.
    await waitFor(
      () => a.page.evaluate(() => (globalThis as any).notifications),
      (list: any[]) => list.some((n) => n.type === 'deleted' && n.location.endsWith(b.id)),
    );

    expect((await api.delete(`/${app.id}/${conference.id}`)).status).toBe(200);
    await waitFor(
      () => a.page.evaluate(() => (globalThis as any).endedWith),
      (reason) => reason === 'conference-ended',
    );
  });
});
