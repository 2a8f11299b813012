import { AppSocket, client, Platform } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('conference service restart', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await Platform.start({ MIND_OUTBOUND_ALLOW: '127.0.0.1' });
  });
  afterAll(() => platform.close());

  it('keeps its state across a crash and still ends a conference that expired while it was down', async () => {
    // Long enough for what comes before the crash and the gateway's 503 (it waits for its RPC timeout).
    const app = await platform.createApplication({ maxDuration: 12 });
    const api = client(platform.url, app.token);
    const conference = (await api.post(`/${app.id}`, { name: 'survivor', layout: 'selector' })).body;
    const c = `/${app.id}/${conference.id}`;
    const participant = (await api.post(`${c}/participants`, { name: 'Ann', role: 'moderator' })).body;
    await api.post(`${c}/streamings`, { url: 'rtmp://127.0.0.1/live/x' });
    const socket = await AppSocket.open(platform.url, app.id, conference.id, app.token);

    await platform.stopService('conference', 'SIGKILL');
    // While it is down the gateway answers a clear 503, not a hang or a 500.
    expect((await api.get(c)).status).toBe(503);
    const untilExpiry = conference.endingAt * 1000 - Date.now();
    expect(untilExpiry).toBeGreaterThan(0);
    await sleep(untilExpiry + 500);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);

    await platform.startService('conference');
    // The expiry schedule lives in Postgres: the restarted service ends the conference it missed.
    expect(await socket.closed).toMatchObject({ code: 4000 });
    const after = await api.get(`${c}?detailed=true`);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({
      id: conference.id,
      name: 'survivor',
      layout: 'selector',
      endingAt: conference.endingAt,
      participants: [{ id: participant.id, name: 'Ann', role: 'moderator' }],
      streamings: [{ url: 'rtmp://127.0.0.1/live/x', alive: false }],
    });
    expect((await client(platform.url, participant.token).get(c)).status).toBe(401);
  });

  it('serves requests again after a graceful restart, with the same data', async () => {
    const app = await platform.createApplication();
    const api = client(platform.url, app.token);
    const conference = (await api.post(`/${app.id}`, { name: 'before restart' })).body;
    const c = `/${app.id}/${conference.id}`;
    const participant = (await api.post(`${c}/participants`, { name: 'Bo', priority: 2.5 })).body;

    await platform.stopService('conference');
    await platform.startService('conference');

    expect((await api.get(`${c}/participants/${participant.id}`)).body).toMatchObject({
      name: 'Bo',
      priority: 2.5,
    });
    const asParticipant = client(platform.url, participant.token);
    expect((await asParticipant.get(c)).status).toBe(200);
    const socket = await AppSocket.open(platform.url, app.id, conference.id, app.token);
    await asParticipant.patch(`${c}/participants/${participant.id}`, { name: 'Bob' });
    expect(await socket.next((n) => n.location === `/participants/${participant.id}`)).toMatchObject({
      type: 'updated',
      resource: { name: 'Bob' },
    });
    socket.close();
  });

  it('ends a conference on time while running, closing the socket with 4000', async () => {
    const app = await platform.createApplication({ maxDuration: 2 });
    const api = client(platform.url, app.token);
    const conference = (await api.post(`/${app.id}`, {})).body;
    const participant = (await api.post(`/${app.id}/${conference.id}/participants`, {})).body;
    const socket = await AppSocket.open(platform.url, app.id, conference.id, app.token);
    const { code } = await socket.closed;
    expect(code).toBe(4000);
    expect(Date.now()).toBeGreaterThanOrEqual(conference.endingAt * 1000);
    expect((await client(platform.url, participant.token).get(`/${app.id}/${conference.id}`)).status).toBe(
      401,
    );
  });
});
