import { client, useMediaTestbed, waitFor } from './harness';

describe('presence follows media sessions without lag', () => {
  const testbed = useMediaTestbed();

  it('a joiner is online for everyone as soon as its answer is back (20 joins)', async () => {
    const { platform, app, browser } = testbed;
    const { id: conferenceId, socket } = await testbed.conference('presence');
    const base = `/${app.id}/${conferenceId}`;
    const observer = await testbed.join(conferenceId, 'Obs', false);
    const asObserver = client(platform.url, observer.token);
    for (let round = 0; round < 20; round++) {
      const created = (
        await client(platform.url, app.token).post(`${base}/participants`, { name: `J${round}` })
      ).body;
      const page = await browser.page();
      // The join's second offer (the full layout, sent once the data channel is open) is answered...
      let offers = 0;
      const offered: string[] = [];
      const answered = page.waitForResponse((response) => {
        if (response.request().method() !== 'POST' || !response.url().endsWith(`${base}/`)) return false;
        offered.push(`${response.status()} at ${Date.now()}`);
        return ++offers === 2;
      });
      const joining = page.evaluate(
        ({ baseUrl, applicationId, conferenceId, token }) => {
          const g = globalThis as any;
          g.session = new g.Mind.ParticipantSession({ baseUrl, applicationId, conferenceId, token });
          return g.session.join();
        },
        { baseUrl: platform.url, applicationId: app.id, conferenceId, token: created.token },
      );
      expect((await answered).status()).toBe(200);
      // ...and at once another participant reads it online.
      const { participants } = (await asObserver.get(`${base}/?detailed=true`)).body;
      const seen = participants.find((p: any) => p.id === created.id);
      // What a miss needs to be understood: the offers answered so far, and what the media node warned of.
      if (!seen?.online) {
        const warned = platform
          .logEntries('media')
          .filter((line) => String(line.msg).includes('presence'))
          .map((line) => JSON.stringify(line));
        throw new Error(
          `J${round} read ${JSON.stringify(seen)} at ${Date.now()} after offers ${offered.join(', ')}\n${warned.join('\n')}`,
        );
      }
      await joining;
      await page.context().close();
      // (The application's participant limit counts those who left.)
      await client(platform.url, app.token).delete(`${base}/participants/${created.id}`);
    }
    socket.close();
  });

  it('a change notified while the participants list is on its way is not undone by that list', async () => {
    const { id: conferenceId, socket } = await testbed.conference('list-in-flight');
    const reader = await testbed.join(conferenceId, 'Reader', false);
    // The reader asks for the list again; the list is read now, and reaches it only later.
    let read!: () => void;
    let deliver!: () => void;
    const wasRead = new Promise<void>((resolve) => (read = resolve));
    const delivered = new Promise<void>((resolve) => (deliver = resolve));
    await reader.page.route('**/?detailed=true', async (route) => {
      const response = await route.fetch();
      read();
      await delivered;
      await route.fulfill({ response });
    });
    const refreshed = reader.page.evaluate(() => (globalThis as any).session.refreshParticipants());
    await wasRead;
    // Meanwhile another participant joins and sends video, which the reader is notified of.
    const sender = await testbed.join(conferenceId, 'Sender', true);
    const sendsVideo = () =>
      reader.page.evaluate(
        (id) => (globalThis as any).session.participants.get(id)?.media.video === true,
        sender.id,
      );
    await waitFor(sendsVideo, Boolean);
    deliver();
    await refreshed;
    expect(await sendsVideo()).toBe(true);
    socket.close();
  });
});
