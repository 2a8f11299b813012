import { client, inbound, shareScreen, useMediaTestbed, waitFor } from './harness';

describe('SFU: participants join from Chromium and exchange media', () => {
  const testbed = useMediaTestbed();

  it('two participants join: online with media flags for the application and each other; each decodes the other’s video and receives its audio', async () => {
    const conference = await testbed.conference('sfu');
    const { socket } = conference;

    const a = await testbed.join(conference.id, 'Ann', true);
    const b = await testbed.join(conference.id, 'Bob', true);

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

    for (const [viewer, sender] of [
      [a, b],
      [b, a],
    ]) {
      await viewer.page.evaluate((label) => (globalThis as any).watch(label), `${sender.id}#primary`);
    }
    for (const viewer of [a, b]) {
      const first = await waitFor(
        () => inbound(viewer.page),
        (stats) =>
          stats.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 0 && (s.frameWidth ?? 0) > 0) &&
          stats.some((s) => s.kind === 'audio' && (s.packetsReceived ?? 0) > 0),
      );
      const decoded = first.find((s) => s.kind === 'video')!.framesDecoded!;
      // Frames keep coming, not just one.
      await waitFor(
        () => inbound(viewer.page),
        (stats) => (stats.find((s) => s.kind === 'video')?.framesDecoded ?? 0) > decoded + 10,
      );
    }
    // Quality reports (and anything else a client writes on its channel) are taken, never fatal.
    await a.page.evaluate((label) => {
      const g = globalThis as any;
      g.session.reportDistortion(label, 'video', Date.now() - 1000, 1);
      g.session.reportDistortion(label, 'audio', Date.now() - 1000, 1);
    }, `${b.id}#primary`);
    await client(testbed.platform.url, b.token).patch(
      `/${testbed.app.id}/${conference.id}/participants/${b.id}`,
      {
        name: 'Bobby',
      },
    );
    await waitFor(
      () => a.page.evaluate(() => (globalThis as any).notifications),
      (list: any[]) => list.some((n) => n.resource?.name === 'Bobby'),
    );
    expect(await a.page.evaluate(() => (globalThis as any).endedWith)).toBeNull();
    socket.close();
  });

  it("screen share: a presenter's secondary video reaches a subscriber", async () => {
    const conference = await testbed.conference('screen');
    const { socket } = conference;
    const presenter = await testbed.join(conference.id, 'Pat', true);
    const viewer = await testbed.join(conference.id, 'Vic', false);
    await shareScreen(presenter.page);
    await socket.next(
      (n) =>
        n.location === `/participants/${presenter.id}` && (n.resource as any)?.secondaryMedia?.video === true,
    );
    await viewer.page.evaluate(
      (label) => (globalThis as any).watch(label, ['video']),
      `${presenter.id}#secondary`,
    );
    const stats = await waitFor(
      () => inbound(viewer.page),
      (list) => list.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 5),
    );
    // The sender may scale the screen down while the bandwidth estimate ramps up.
    expect(stats.find((s) => s.kind === 'video')!.frameWidth).toBeGreaterThan(0);
    socket.close();
  });

  it('renegotiation: camera off and on flips media.video for others; a released line is reused for another label', async () => {
    const conference = await testbed.conference('renegotiation');
    const { socket } = conference;
    const a = await testbed.join(conference.id, 'Ann', true);
    const b = await testbed.join(conference.id, 'Bob', true);
    const c = await testbed.join(conference.id, 'Cid', true);
    const videoOf = (id: string, value: boolean) => (n: any) =>
      n.location === `/participants/${id}` && n.resource?.online && n.resource?.media?.video === value;

    await socket.next(videoOf(a.id, true));
    await a.page.evaluate(async () => {
      const g = globalThis as any;
      const audioOnly = await g.navigator.mediaDevices.getUserMedia({ audio: true });
      await g.session.publish('primary', audioOnly);
    });
    await socket.next(videoOf(a.id, false));
    await waitFor(
      () => b.page.evaluate(() => (globalThis as any).notifications),
      (list: any[]) => list.some(videoOf(a.id, false)),
    );
    const beforeCameraOn = socket.received.length;
    await a.page.evaluate(async () => {
      const g = globalThis as any;
      const camera = await g.navigator.mediaDevices.getUserMedia({
        audio: true,
        video: { width: 640, height: 360 },
      });
      await g.session.publish('primary', camera);
    });
    await waitFor(
      async () => socket.received.slice(beforeCameraOn),
      (list) => list.some(videoOf(a.id, true)),
    );

    // B watches A, releases that subscription and watches C on the same transceivers.
    const mids = await b.page.evaluate(
      async ([first, second]) => {
        const g = globalThis as any;
        await g.session.subscribe(first);
        const before = g.session.pc.getTransceivers().length;
        await g.session.unsubscribe(first);
        const released: number[] = [];
        (await g.session.pc.getStats()).forEach(
          (s: any) => s.type === 'inbound-rtp' && released.push(s.ssrc),
        );
        await g.watch(second);
        return { before, after: g.session.pc.getTransceivers().length, released };
      },
      [`${a.id}#primary`, `${c.id}#primary`],
    );
    expect(mids.after).toBe(mids.before);
    await waitFor(
      () => inbound(b.page),
      (list) =>
        list.some((s) => s.kind === 'video' && !mids.released.includes(s.ssrc) && (s.framesDecoded ?? 0) > 5),
    );
    socket.close();
  });

  it('an expelled participant gets "4001" and its token dies; the end of the conference sends "4000"', async () => {
    const api = client(testbed.platform.url, testbed.app.token);
    const conference = (await api.post(`/${testbed.app.id}`, { name: 'ends' })).body;
    const a = await testbed.join(conference.id, 'Ann', false);
    const b = await testbed.join(conference.id, 'Bob', false);

    expect((await api.delete(`/${testbed.app.id}/${conference.id}/participants/${b.id}`)).status).toBe(200);
    await waitFor(
      () => b.page.evaluate(() => (globalThis as any).endedWith),
      (reason) => reason === 'expelled',
    );
    expect(
      (
        await client(testbed.platform.url, b.token).post(`/${testbed.app.id}/${conference.id}`, {
          sdp: 'v=0',
        })
      ).status,
    ).toBe(401);
    // The other participant was told that B is gone.
    await waitFor(
      () => a.page.evaluate(() => (globalThis as any).notifications),
      (list: any[]) => list.some((n) => n.type === 'deleted' && n.location.endsWith(b.id)),
    );

    expect((await api.delete(`/${testbed.app.id}/${conference.id}`)).status).toBe(200);
    await waitFor(
      () => a.page.evaluate(() => (globalThis as any).endedWith),
      (reason) => reason === 'conference-ended',
    );
  });
});
