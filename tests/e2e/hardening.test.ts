import { client, Platform } from './harness';

/**
 * What a probe of about 3,500 hostile requests against the platform found (issue 10), one block per
 * finding, each with the request that showed it.
 */
describe('hardening', () => {
  let platform: Platform;
  let app: { id: string; token: string };
  let api: ReturnType<typeof client>;
  let c: string;

  beforeAll(async () => {
    // Streaming destinations: the scheme's ports only, and nothing private allowed.
    platform = await Platform.start({ MIND_OUTBOUND_ALLOW: '', MIND_MAX_STREAMINGS: '5' });
    app = await platform.createApplication({ name: 'hardening tests', maxParticipants: 10 });
    api = client(platform.url, app.token);
    c = `/${app.id}/${(await api.post(`/${app.id}`, { name: 'hardening' })).body.id}`;
  });
  afterAll(() => platform.close());

  describe('1. SSRF through streaming', () => {
    it.each([
      'rtmp://127.0.0.1:4222/x',
      'rtmp://127.0.0.1:6379/x',
      'rtmp://127.0.0.1:5432/x',
      'rtmp://127.0.0.1:22/x',
      `rtmp://127.0.0.1:8083/x`,
      'rtmp://[::1]/x',
      'rtmp://localhost/x',
      'rtmp://2130706433/x',
      'rtmp://0x7f000001/x',
      'rtmp://0/x',
      'rtmp://127.0.0.1:99999/x',
      'rtmp://169.254.169.254/latest/meta-data',
      'rtmp://10.0.0.1/live/key',
      'rtmp://[::ffff:127.0.0.1]/x',
    ])('POST {c}/streamings {"url":"%s"} -> 400 naming the url', async (url) => {
      const answer = await api.post(`${c}/streamings`, { url });
      expect({ status: answer.status, field: answer.body.field }).toEqual({ status: 400, field: 'url' });
    });

    it('a public destination on another port than its scheme’s is refused', async () => {
      const answer = await api.post(`${c}/streamings`, { url: 'rtmp://203.0.114.1:8080/live/key' });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/port 8080 is not allowed/);
    });

    it('one conference takes at most MIND_MAX_STREAMINGS streamings', async () => {
      const created = (await api.post(`/${app.id}`, { name: 'many streamings' })).body;
      const path = `/${app.id}/${created.id}/streamings`;
      // Public addresses on the scheme's port: accepted (no media node runs here, nothing connects).
      for (let i = 1; i <= 5; i++) {
        expect((await api.post(path, { url: `rtmp://203.0.114.${i}/live/key` })).status).toBe(200);
      }
      const sixth = await api.post(path, { url: 'rtmp://203.0.114.6/live/key' });
      expect(sixth.status).toBe(409);
      expect(sixth.body.error).toMatch(/at most 5 streamings/);
    });
  });
});
