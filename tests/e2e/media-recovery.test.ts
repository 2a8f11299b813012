import { inbound, rejoin, useMediaTestbed, waitFor } from './harness';

const presence = (id: string, online: boolean) => (n: any) =>
  n.location === `/participants/${id}` && n.resource?.online === online;

describe('media sessions recover', () => {
  const testbed = useMediaTestbed();

  it('a client that drops its PeerConnection and offers again replaces its session and is online again', async () => {
    const { id, socket } = await testbed.conference('recovery');
    const a = await testbed.join(id, 'Ann', true);
    await socket.next(presence(a.id, true));
    const mark = socket.received.length;
    await rejoin(a.page);
    // Closing the PeerConnection is seen at once (SCTP abort); the new session brings it back.
    await waitFor(
      async () => socket.received.slice(mark),
      (list) => {
        const offline = list.findIndex(presence(a.id, false));
        return offline >= 0 && list.slice(offline).some(presence(a.id, true));
      },
    );
    socket.close();
  });

  it('a client that vanishes without closing goes offline when ICE consent expires (10 s timeout)', async () => {
    const { id, socket } = await testbed.conference('recovery');
    const a = await testbed.join(id, 'Ann', false);
    await socket.next(presence(a.id, true));
    const gone = Date.now();
    await a.page.context().close();
    await socket.next(presence(a.id, false), 20000);
    expect(Date.now() - gone).toBeLessThan(15000);
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
