import { AppSocket, client, Platform } from './harness';

describe('application WebSocket', () => {
  let platform: Platform;
  let app: { id: string; token: string };
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    platform = await Platform.start();
    app = await platform.createApplication({ name: 'socket tests', maxParticipants: 10 });
    api = client(platform.url, app.token);
  });
  afterAll(() => platform.close());

  async function conferenceWithParticipant() {
    const conference = (await api.post(`/${app.id}`, { name: 'sockets' })).body;
    const participant = (await api.post(`/${app.id}/${conference.id}/participants`, { name: 'Ann' })).body;
    return { c: `/${app.id}/${conference.id}`, conference, participant };
  }

  it("receives a participant's change and a message, but not the application's own change", async () => {
    const { c, conference, participant } = await conferenceWithParticipant();
    const socket = await AppSocket.open(platform.url, app.id, conference.id, app.token);
    const asParticipant = client(platform.url, participant.token);

    expect(
      (await api.patch(`${c}/participants/${participant.id}`, { name: 'by the application' })).status,
    ).toBe(200);
    expect((await asParticipant.patch(`${c}/participants/${participant.id}`, { name: 'Annie' })).status).toBe(
      200,
    );
    const sent = await asParticipant.post(`${c}/messages`, { sendTo: app.id, text: 'hello application' });
    expect(sent.status).toBe(200);

    const update = await socket.next((n) => n.location === `/participants/${participant.id}`);
    expect(update).toMatchObject({ type: 'updated', resource: { id: participant.id, name: 'Annie' } });
    const message = await socket.next((n) => n.location === `/messages/${sent.body.id}`);
    expect(message).toEqual({ type: 'created', location: `/messages/${sent.body.id}`, resource: sent.body });
    // Order is commit order, and the application's own rename never arrives.
    expect(socket.received.map((n) => n.location)).toEqual([
      `/participants/${participant.id}`,
      `/messages/${sent.body.id}`,
    ]);
    socket.close();
  });

  it('gets messages sent to everyone, not those sent to a participant only', async () => {
    const { c, conference, participant } = await conferenceWithParticipant();
    const other = (await api.post(`${c}/participants`, { name: 'Bo' })).body;
    const socket = await AppSocket.open(platform.url, app.id, conference.id, app.token, true);
    const asParticipant = client(platform.url, participant.token);
    await asParticipant.post(`${c}/messages`, { sendTo: other.id, text: 'private' });
    const everyone = await asParticipant.post(`${c}/messages`, { sendTo: conference.id, text: 'all' });
    const got = await socket.next((n) => n.location.startsWith('/messages/'));
    expect(got.resource).toEqual(everyone.body);
    expect(socket.received).toHaveLength(1);
    socket.close();
  });

  it('a second socket closes the first with 4001', async () => {
    const { conference } = await conferenceWithParticipant();
    const first = await AppSocket.open(platform.url, app.id, conference.id, app.token);
    const second = await AppSocket.open(platform.url, app.id, conference.id, app.token);
    expect(await first.closed).toMatchObject({ code: 4001 });
    expect(second.ws.readyState).toBe(second.ws.OPEN);
    second.close();
  });

  it('deleting the conference closes the socket with 4000', async () => {
    const { c, conference } = await conferenceWithParticipant();
    const socket = await AppSocket.open(platform.url, app.id, conference.id, app.token);
    expect((await api.delete(c)).status).toBe(200);
    expect(await socket.closed).toMatchObject({ code: 4000 });
  });

  it('refuses a missing or wrong token, a participant token and a foreign conference', async () => {
    const { conference, participant } = await conferenceWithParticipant();
    const other = await platform.createApplication();
    expect(await AppSocket.openStatus(platform.url, app.id, conference.id)).toBe(401);
    expect(await AppSocket.openStatus(platform.url, app.id, conference.id, 'x'.repeat(100))).toBe(401);
    expect(await AppSocket.openStatus(platform.url, app.id, conference.id, participant.token)).toBe(403);
    expect(await AppSocket.openStatus(platform.url, other.id, conference.id, other.token)).toBe(404);
    expect(await AppSocket.openStatus(platform.url, app.id, conference.id, app.token)).toBe(101);
  });
});
