import { AppSocket, call, client, freePort, Platform, waitFor } from './harness';

/**
 * The conference service serving the public API itself (MIND_CONFERENCE_API_PORT), next to a gateway
 * of the same platform: one API, whichever door a call comes in by.
 */
describe('the API served by the conference service', () => {
  let platform: Platform;
  let direct: string;
  let app: { id: string; token: string };

  beforeAll(async () => {
    const apiPort = String(await freePort());
    // Low enough for the last test to reach; no other test here fails to authenticate more than twice.
    platform = await Platform.start({
      MIND_CONFERENCE_API_PORT: apiPort,
      MIND_RATE_FAILED_AUTH_PER_IP: '10',
    });
    direct = `http://127.0.0.1:${apiPort}`;
    app = await platform.createApplication({ name: 'direct API', maxParticipants: 10 });
  });
  afterAll(() => platform.close());

  it('answers what the gateway answers, for the same resources', async () => {
    const viaDirect = client(direct, app.token);
    const viaGateway = client(platform.url, app.token);
    const created = await viaDirect.post(`/${app.id}`, { name: 'two doors' });
    expect(created.status).toBe(200);
    const c = `/${app.id}/${created.body.id}`;
    const participant = await viaGateway.post(`${c}/participants`, { name: 'Ann' });
    for (const path of [c, `${c}/participants`, `${c}/participants/${participant.body.id}`]) {
      const [a, b] = [await viaDirect.get(path), await viaGateway.get(path)];
      expect(a.status).toBe(200);
      expect(a.text).toBe(b.text);
      expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    }
    // Refusals, with the same bodies: a bad id, no token, a wrong content type, a body of wrong shape,
    // an unknown route, and a participant's token beyond its rights.
    const asParticipant = client(direct, participant.body.token);
    const refusals: Array<[string, string, Parameters<typeof call>[3]]> = [
      ['GET', `/${app.id}/not-a-uuid`, { token: app.token }],
      ['GET', c, {}],
      ['PATCH', c, { token: app.token, rawBody: 'name=x', contentType: 'text/plain' }],
      ['PATCH', c, { token: app.token, body: { name: 42 } }],
      ['GET', `${c}/nowhere/at/all`, { token: app.token }],
      ['DELETE', c, { token: participant.body.token }],
    ];
    for (const [method, path, options] of refusals) {
      const [a, b] = [
        await call(direct, method, path, options),
        await call(platform.url, method, path, options),
      ];
      expect([method, path, a.status, a.body]).toEqual([method, path, b.status, b.body]);
      expect(a.status).toBeGreaterThanOrEqual(400);
      expect(a.status).toBeLessThan(500);
    }
    expect((await asParticipant.post(`${c}/messages`, { sendTo: created.body.id, text: 'hi' })).status).toBe(
      200,
    );
  });

  it('proxies the application socket: a message posted at its door reaches it', async () => {
    const api = client(direct, app.token);
    const conference = (await api.post(`/${app.id}`, { name: 'socket' })).body;
    const c = `/${app.id}/${conference.id}`;
    const participant = (await api.post(`${c}/participants`, { name: 'Bo' })).body;
    const socket = await AppSocket.open(direct, app.id, conference.id, app.token);
    const sent = await client(direct, participant.token).post(`${c}/messages`, {
      sendTo: app.id,
      text: 'through the conference service',
    });
    expect(sent.status).toBe(200);
    const got = await socket.next((n) => n.location === `/messages/${sent.body.id}`);
    expect(got.resource).toEqual(sent.body);
    socket.close();
  });

  it("a participant's messages stop with its token, whichever changed: its role, its deletion, its conference's deletion", async () => {
    const api = client(direct, app.token);
    const conference = (await api.post(`/${app.id}`, { name: 'senders' })).body;
    const c = `/${app.id}/${conference.id}`;
    const [ann, bob] = [
      (await api.post(`${c}/participants`, { name: 'Ann' })).body,
      (await api.post(`${c}/participants`, { name: 'Bob' })).body,
    ];
    const post = (token: string) =>
      client(direct, token).post(`${c}/messages`, { sendTo: conference.id, text: 'hi' });
    // Known to the service once they have sent (later messages take one statement that checks them).
    for (let i = 0; i < 2; i++) {
      expect((await post(ann.token)).status).toBe(200);
      expect((await post(bob.token)).status).toBe(200);
      expect((await post(app.token)).status).toBe(200);
    }
    expect((await api.patch(`${c}/participants/${ann.id}`, { role: 'attendee' })).status).toBe(200);
    expect((await post(ann.token)).body).toMatchObject({ sentBy: ann.id });
    expect((await api.delete(`${c}/participants/${ann.id}`)).status).toBe(200);
    expect((await post(ann.token)).status).toBe(401);
    expect(
      (await client(direct, bob.token).post(`${c}/messages`, { sendTo: ann.id, text: 'gone' })).status,
    ).toBe(400);
    expect((await api.delete(c)).status).toBe(200);
    expect((await post(bob.token)).status).toBe(401);
    expect((await post(app.token)).status).toBe(404);
  });

  it('a read kept by one instance follows a change made at another, and its own changes at once', async () => {
    const otherPort = String(await freePort());
    await platform.startExtraInstance('conference', 'second door', { MIND_CONFERENCE_API_PORT: otherPort });
    const [one, two] = [client(direct, app.token), client(`http://127.0.0.1:${otherPort}`, app.token)];
    const conference = (await one.post(`/${app.id}`, { name: 'kept' })).body;
    const c = `/${app.id}/${conference.id}`;
    const ann = (await one.post(`${c}/participants`, { name: 'Ann' })).body;
    const p = `${c}/participants/${ann.id}`;
    const asAnn = client(direct, ann.token);
    // Read twice at each door (the second read is the kept one), as the application and as Ann.
    for (let i = 0; i < 2; i++) {
      expect((await one.get(p)).body).toMatchObject({ name: 'Ann', role: 'speaker' });
      expect((await two.get(p)).body).toMatchObject({ name: 'Ann', role: 'speaker' });
      expect((await asAnn.get(p)).body).toMatchObject({ name: 'Ann' });
    }
    /** How long the first door takes to answer what `seen` waits for (it hears of changes from PostgreSQL). */
    const followed = async (path: string, seen: (answer: { status: number; body: any }) => boolean) => {
      const started = Date.now();
      while (!seen(await one.get(path))) {
        if (Date.now() - started > 2000) throw new Error(`${path}: the change was not seen in 2 s`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return Date.now() - started;
    };
    const lags: number[] = [];
    // A change at the second door: the second door answers it at once, the first as soon as it hears.
    expect((await two.patch(p, { name: 'Ann B', role: 'moderator' })).status).toBe(200);
    expect((await two.get(p)).body).toMatchObject({ name: 'Ann B', role: 'moderator' });
    lags.push(await followed(p, (a) => a.body.name === 'Ann B' && a.body.role === 'moderator'));
    // Ann's own reads, kept under her token, went with the application's.
    expect((await asAnn.get(p)).body).toMatchObject({ name: 'Ann B', role: 'moderator' });
    // A change at the first door is answered there at once.
    expect((await one.patch(p, { name: 'Ann C' })).status).toBe(200);
    expect((await one.get(p)).body).toMatchObject({ name: 'Ann C' });
    // Deletions: the participant, then the conference, each at the second door.
    expect((await two.delete(p)).status).toBe(200);
    lags.push(await followed(p, (a) => a.status === 404));
    expect((await asAnn.get(p)).status).toBe(401);
    expect((await two.delete(c)).status).toBe(200);
    lags.push(await followed(c, (a) => a.status === 404));
    console.log(`changes at one instance seen at the other after ${lags.join(', ')} ms`);
    await platform.stopService('conference#second door');
  });

  it('keeps health on both ports and metrics off the public one', async () => {
    const health = `http://127.0.0.1:${platform.env.MIND_CONFERENCE_HEALTH_PORT}`;
    expect((await fetch(`${direct}/readyz`)).status).toBe(200);
    expect((await fetch(`${health}/readyz`)).status).toBe(200);
    expect((await fetch(`${direct}/metrics`)).status).toBe(404);
    const metrics = await fetch(`${health}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# (HELP|TYPE) /m);
    const document = await (await fetch(`${direct}/openapi.json`)).json();
    expect(document).toEqual(await (await fetch(`${platform.url}/openapi.json`)).json());
  });

  it('an address that fails too often at one door is refused at the other', async () => {
    const c = `/${app.id}/${(await client(direct, app.token).post(`/${app.id}`, { name: 'blocked' })).body.id}`;
    let status = 0;
    for (let attempt = 0; attempt < 15 && status !== 429; attempt++) {
      status = (await call(direct, 'GET', c, { token: 'x'.repeat(100) })).status;
    }
    expect(status).toBe(429);
    // The gateway hears of the block and refuses even a valid call from that address.
    const refused = await waitFor(
      async () => (await call(platform.url, 'GET', c, { token: app.token })).status,
      (answer) => answer === 429,
      5000,
    );
    expect(refused).toBe(429);
  });
});
