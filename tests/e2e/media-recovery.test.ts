import { inbound, rejoin, sleep, useMediaTestbed, waitFor } from './harness';

const presence = (id: string, online: boolean) => (n: any) =>
  n.location === `/participants/${id}` && n.resource?.online === online;

/** Milliseconds a participant whose connection went away stays online, in these tests. */
const RECONNECT_WINDOW_MS = 3000;

describe('media sessions recover', () => {
  const testbed = useMediaTestbed(() => ({ MIND_MEDIA_RECONNECT_WINDOW_MS: String(RECONNECT_WINDOW_MS) }));

  it('a client that recovers (new PeerConnection, new ICE credentials) within the window is never seen offline, and video flows both ways again', async () => {
    const { id, socket } = await testbed.conference('recovery');
    const a = await testbed.join(id, 'Ann', true);
    const b = await testbed.join(id, 'Bob', true);
    await b.page.evaluate((label) => (globalThis as any).watch(label), `${a.id}#primary`);
    await a.page.evaluate((label) => (globalThis as any).watch(label), `${b.id}#primary`);
    const decoding = (page: typeof a.page) =>
      waitFor(
        () => inbound(page),
        (stats) => stats.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 5),
      );
    const before = await decoding(b.page);
    await decoding(a.page);
    const mark = socket.received.length;
    const heard = await b.page.evaluate(() => (globalThis as any).notifications.length);

    // What the SDK does when its connection fails: a new PeerConnection, everything offered again.
    await a.page.evaluate(() => (globalThis as any).session.recover());
    const known = new Set(before.map((s) => s.ssrc));
    await waitFor(
      () => inbound(b.page),
      (stats) => stats.some((s) => s.kind === 'video' && !known.has(s.ssrc) && (s.framesDecoded ?? 0) > 5),
    );
    // Ann's new PeerConnection receives Bob again too (its stats are the new one's).
    await decoding(a.page);
    // Past the window: still nobody heard that Ann left.
    await sleep(RECONNECT_WINDOW_MS + 1000);
    expect(socket.received.slice(mark).filter(presence(a.id, false))).toEqual([]);
    const told = await b.page.evaluate((from) => (globalThis as any).notifications.slice(from), heard);
    expect(told.filter(presence(a.id, false))).toEqual([]);
    socket.close();
  });

  it('a client that comes back after the window is seen leaving, then joining again', async () => {
    const { id, socket } = await testbed.conference('recovery');
    const a = await testbed.join(id, 'Ann', true);
    await socket.next(presence(a.id, true));
    const mark = socket.received.length;
    await a.page.evaluate(() => (globalThis as any).session.leave());
    await sleep(RECONNECT_WINDOW_MS + 1000);
    await rejoin(a.page);
    await waitFor(
      async () => socket.received.slice(mark),
      (list) => {
        const offline = list.findIndex(presence(a.id, false));
        return offline >= 0 && list.slice(offline).some(presence(a.id, true));
      },
    );
    socket.close();
  });

  it('a client that vanishes without closing goes offline once ICE consent (10 s) and the window expire', async () => {
    const { id, socket } = await testbed.conference('recovery');
    const a = await testbed.join(id, 'Ann', false);
    await socket.next(presence(a.id, true));
    const gone = Date.now();
    await a.page.context().close();
    await socket.next(presence(a.id, false), 25000);
    expect(Date.now() - gone).toBeLessThan(10000 + RECONNECT_WINDOW_MS + 5000);
    socket.close();
  });

  it('when the media node crashes, participants go offline, and new offers land on the restarted node and media flows', async () => {
    const { id, socket } = await testbed.conference('recovery');
    const a = await testbed.join(id, 'Ann', true);
    const b = await testbed.join(id, 'Bob', true);
    await socket.next(presence(b.id, true));

    await testbed.platform.stopService('media', 'SIGKILL');
    for (const who of [a, b]) await socket.next(presence(who.id, false), 15000);
    await testbed.platform.startService('media');

    const mark = socket.received.length;
    for (const who of [a, b]) await rejoin(who.page);
    await waitFor(
      async () => socket.received.slice(mark),
      (list) => [a, b].every((who) => list.some(presence(who.id, true))),
    );
    await b.page.evaluate((label) => (globalThis as any).watch(label), `${a.id}#primary`);
    await waitFor(
      () => inbound(b.page),
      (stats) => stats.some((s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 5),
    );
    socket.close();
  });
});
