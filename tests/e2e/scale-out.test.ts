import { AppSocket, client, Platform } from './harness';

describe('several gateway, notifier and conference instances', () => {
  let platform: Platform;
  let secondGateway: string;

  beforeAll(async () => {
    platform = await Platform.start();
    const secondNotifier = await platform.startExtraInstance('notifier', '2');
    secondGateway = await platform.startExtraInstance('gateway', '2', { MIND_NOTIFIER_URL: secondNotifier });
    await platform.startExtraInstance('conference', '2');
  });
  afterAll(() => platform.close());

  it('keeps one application socket per conference across notifiers and delivers events from NATS', async () => {
    const app = await platform.createApplication();
    const api = client(platform.url, app.token);
    const conference = (await api.post(`/${app.id}`, { name: 'scaled' })).body;
    const c = `/${app.id}/${conference.id}`;
    const participant = (await api.post(`${c}/participants`, { name: 'Ann' })).body;

    const onFirst = await AppSocket.open(platform.url, app.id, conference.id, app.token);
    const onSecond = await AppSocket.open(secondGateway, app.id, conference.id, app.token);
    expect(await onFirst.closed).toMatchObject({ code: 4001 });

    // Changes go through either gateway (and either conference instance) and reach the one socket in order.
    const viaFirst = client(platform.url, participant.token);
    const viaSecond = client(secondGateway, participant.token);
    const names = ['A', 'B', 'C', 'D', 'E', 'F'];
    for (const [i, name] of names.entries()) {
      const target = i % 2 === 0 ? viaFirst : viaSecond;
      expect((await target.patch(`${c}/participants/${participant.id}`, { name })).status).toBe(200);
    }
    await onSecond.next((n) => (n.resource as { name?: string })?.name === 'F');
    expect(onSecond.received.map((n) => (n.resource as { name: string }).name)).toEqual(names);

    expect((await client(secondGateway, app.token).delete(c)).status).toBe(200);
    expect(await onSecond.closed).toMatchObject({ code: 4000 });
  });

  it('answers while one conference instance is down (the other takes the queue)', async () => {
    const app = await platform.createApplication();
    const api = client(platform.url, app.token);
    await platform.stopService('conference', 'SIGKILL');
    const conference = await api.post(`/${app.id}`, { name: 'still served' });
    expect(conference.status).toBe(200);
    expect((await api.get(`/${app.id}/${conference.body.id}`)).body.name).toBe('still served');
    await platform.startService('conference');
  });
});
