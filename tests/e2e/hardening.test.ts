import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as connectNats, JSONCodec } from 'nats';
import { Client as PgClient } from 'pg';
import { tokenDigest } from '@mind/auth';
import { EVENT, subjectOf, type MediaNodeHeartbeat } from '@mind/contracts';
import { AppSocket, call, client, Platform, TlsNatsServer, waitFor } from './harness';

const offerFixture = (name: string) => readFileSync(join(__dirname, '../../libs/sdp/fixtures', name), 'utf8');

/**
 * What a probe of about 3,500 hostile requests against the platform found (issue 10), one block per
 * finding, each with the request that showed it.
 */
describe('hardening', () => {
  let platform: Platform;
  let app: { id: string; token: string };
  let api: ReturnType<typeof client>;
  let c: string;
  let conferenceId: string;
  let participant: { id: string; token: string };

  beforeAll(async () => {
    // Streaming destinations: the scheme's ports only, and nothing private allowed.
    // Request logs on: finding 3 reads them.
    platform = await Platform.start(
      {
        MIND_OUTBOUND_ALLOW: '',
        MIND_MAX_STREAMINGS: '5',
        LOG_LEVEL: 'info',
        // Short, so that finding 4's slow clients are cut off within the test.
        MIND_HTTP_HEADERS_TIMEOUT_MS: '2000',
        MIND_HTTP_REQUEST_TIMEOUT_MS: '3000',
        // Small, so that finding 7's socket goes over it after a few megabytes.
        MIND_NOTIFIER_MAX_BUFFER_BYTES: String(256 * 1024),
      },
      { media: true },
    );
    app = await platform.createApplication({ name: 'hardening tests', maxParticipants: 10 });
    api = client(platform.url, app.token);
    conferenceId = (await api.post(`/${app.id}`, { name: 'hardening' })).body.id;
    c = `/${app.id}/${conferenceId}`;
    participant = (await api.post(`${c}/participants`, { name: 'Ann', role: 'moderator' })).body;
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

  describe('2. 5xx on bad input', () => {
    it('deeply nested JSON in an unknown field -> 400', async () => {
      const deep = '['.repeat(20000) + ']'.repeat(20000);
      const answer = await call(platform.url, 'POST', `${c}/messages`, {
        token: app.token,
        rawBody: `{"sendTo":"${conferenceId}","text":"hi","extra":${deep}}`,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/nests deeper than 32 levels/);
    });

    it('a body just under 1 MiB -> 413', async () => {
      const body = { sendTo: conferenceId, text: 'hi', pad: 'x'.repeat(1024 * 1024 - 200) };
      expect((await api.post(`${c}/messages`, body)).status).toBe(413);
    });

    it.each([
      ['PATCH', '/participants/{p}', { name: 'An\u0000n' }, 'name'],
      ['POST', '/messages', { sendTo: '{c-id}', text: 'hi\u0000there' }, 'text'],
      ['PATCH', '', { name: '\u0000' }, 'name'],
    ])('a NUL character: %s {c}%s -> 400 naming the field', async (method, path, body, field) => {
      const resolved = JSON.parse(JSON.stringify(body).replace('{c-id}', conferenceId));
      const answer = await call(
        platform.url,
        method as 'PATCH',
        `${c}${path.replace('{p}', participant.id)}`,
        {
          token: app.token,
          body: resolved,
        },
      );
      expect({ status: answer.status, field: answer.body.field }).toEqual({ status: 400, field });
    });

    it('sendTo "urn:uuid:<id>" -> 400', async () => {
      const answer = await api.post(`${c}/messages`, { sendTo: `urn:uuid:${conferenceId}`, text: 'hi' });
      expect({ status: answer.status, field: answer.body.field }).toEqual({ status: 400, field: 'sendTo' });
    });

    it('an SDP whose fingerprint is a=fingerprint:md5 -> 400 naming the sdp', async () => {
      const sdp = offerFixture('chromium-datachannel-only.sdp').replace(
        /a=fingerprint:sha-256 [0-9A-F:]+/,
        'a=fingerprint:md5 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
      );
      const answer = await client(platform.url, participant.token).post(c, { sdp });
      expect({ status: answer.status, field: answer.body.field }).toEqual({ status: 400, field: 'sdp' });
      expect(answer.body.error).toMatch(/md5/);
    });

    // Found by the fuzz test: the microphone's SSRC sent on the secondary audio line (mid 3) as well.
    const MIC_SSRC = 'a=ssrc:2087573650 cname:QM/LqMIMjngdh3hd';
    const withMicOnMid3 = (sdp: string, keepMid1: boolean) => {
      const sections = sdp.split('\r\nm=');
      if (!keepMid1) {
        sections[2] = sections[2].replace('a=sendonly', 'a=inactive').replace(/\r\na=ssrc:[^\r]*/g, '');
      }
      const mid3 = sections[4]
        .replace('a=inactive', 'a=sendonly')
        .replace('a=msid:- ', 'a=msid:me#secondary ');
      sections[4] = `${mid3}\r\n${MIC_SSRC}`;
      return sections.join('\r\nm=');
    };

    it('an offer sending one SSRC on two m-lines -> 400 naming the sdp', async () => {
      const sdp = withMicOnMid3(offerFixture('chromium-full-camera-mic.sdp'), true);
      const answer = await client(platform.url, participant.token).post(c, { sdp });
      expect({ status: answer.status, field: answer.body.field }).toEqual({ status: 400, field: 'sdp' });
      expect(answer.body.error).toMatch(/m-lines 1 and 3 send the same ssrc 2087573650/);
    });

    it('a renegotiation that moves a stream to another line is answered (its SSRC is freed first)', async () => {
      const mover = (await api.post(`${c}/participants`, { name: 'Mover' })).body;
      const offer = offerFixture('chromium-full-camera-mic.sdp');
      expect((await client(platform.url, mover.token).post(c, { sdp: offer })).status).toBe(200);
      const moved = await client(platform.url, mover.token).post(c, { sdp: withMicOnMid3(offer, false) });
      expect(moved.status).toBe(200);
    });
  });

  describe('3. Tokens in logs', () => {
    it.each([
      '?access%5Ftoken={t}',
      '?access_token={t}&access_token={t}',
      '?Access_Token={t}',
      '?x=1&ACCESS%5FTOKEN={t}',
    ])('GET {c}%s: the token never reaches the gateway log', async (query) => {
      const marker = `${participant.token.slice(0, 40)}`;
      await call(platform.url, 'GET', `${c}${query.replace(/\{t\}/g, participant.token)}`);
      // The request line is logged once the answer has left.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const logs = platform.logsOf('gateway');
      expect(logs).toContain('"http request"');
      expect(logs).not.toContain(marker);
    });
  });

  describe('4. No timeouts for slow clients', () => {
    /**
     * Opens a raw connection to the gateway, writes `start`, then `drip` every `everyMs`; resolves with
     * how long the gateway kept it open and what it answered.
     */
    async function slowClient(start: string, drip: string, everyMs: number) {
      const { port } = new URL(platform.url);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      const opened = Date.now();
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('error', () => undefined);
      socket.write(start);
      const dripping = setInterval(() => socket.writable && socket.write(drip), everyMs);
      // Cut off by a FIN or, with unread bytes on the server's side, a reset: both end in 'close'
      // (`once` would reject on the reset's 'error').
      const closed = new Promise((resolve) => socket.once('close', resolve));
      const gaveUp = new Promise((resolve) => setTimeout(resolve, 20_000).unref());
      try {
        await Promise.race([closed, gaveUp]);
      } finally {
        clearInterval(dripping);
        socket.destroy();
      }
      return { openMs: Date.now() - opened, answer };
    }

    it('a request that declares a body and never sends it is answered 408 when the request timeout passes', async () => {
      const { openMs, answer } = await slowClient(
        `POST ${c}/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${app.token}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n',
        '',
        1000,
      );
      expect(openMs).toBeLessThan(10_000);
      expect(answer).toMatch(/^HTTP\/1.1 408/);
    });

    it('a body trickled a byte a second is cut off too', async () => {
      const { openMs } = await slowClient(
        `POST ${c}/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${app.token}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
        ' ',
        1000,
      );
      expect(openMs).toBeLessThan(10_000);
    });

    it('headers that never end (an application socket upgrade too) are cut off by the headers timeout', async () => {
      const { openMs } = await slowClient(
        `GET ${c} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`,
        'X-Slow: 1\r\n',
        1000,
      );
      expect(openMs).toBeLessThan(10_000);
    });
  });

  describe('5. One participant can exhaust a media node', () => {
    /** The media node's open sessions (transports), from its next heartbeat. */
    async function nodeSessions(): Promise<number> {
      const nc = await platform.nats();
      try {
        const sub = nc.subscribe(subjectOf(platform.env.MIND_NATS_PREFIX!, EVENT.mediaHeartbeat), { max: 1 });
        for await (const message of sub) {
          return (JSONCodec().decode(message.data) as MediaNodeHeartbeat).load.sessions;
        }
        throw new Error('no heartbeat');
      } finally {
        await nc.close();
      }
    }
    const withUfrag = (sdp: string, ufrag: string) => sdp.replace(/a=ice-ufrag:\S+/g, `a=ice-ufrag:${ufrag}`);

    it('ten parallel offers by one participant leave one session, not more', async () => {
      const flooder = (await api.post(`${c}/participants`, { name: 'Flood' })).body;
      const before = await nodeSessions();
      const offer = offerFixture('chromium-datachannel-only.sdp');
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          client(platform.url, flooder.token).post(c, { sdp: withUfrag(offer, `flood${i}`) }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(new Array(10).fill(200));
      // Each new session replaced the one before: one is left, the others' transports are closed.
      await nodeSessions(); // the heartbeat in flight may predate the flood
      expect(await nodeSessions()).toBe(before + 1);
    });

    /** A short audio line that sends as `me#primary`, as a hostile client can repeat it. */
    const sendingLine = (mid: string, ssrc: number) =>
      [
        `m=audio 9 UDP/TLS/RTP/SAVPF 111`,
        'c=IN IP4 0.0.0.0',
        `a=mid:${mid}`,
        'a=sendonly',
        `a=msid:me#primary track${mid}`,
        'a=rtcp-mux',
        'a=rtpmap:111 opus/48000/2',
        `a=ssrc:${ssrc} cname:hostile`,
      ].join('\r\n');
    const withLines = (count: number) => {
      const offer = offerFixture('chromium-full-camera-mic.sdp').replace(/\r\n$/, '');
      const extra = Array.from({ length: count }, (_, i) => sendingLine(`z${i}`, 1000 + i));
      return [offer, ...extra].join('\r\n') + '\r\n';
    };

    it('an offer with 1,000 m-lines -> 400', async () => {
      const answer = await client(platform.url, participant.token).post(c, { sdp: withLines(993) });
      expect({ status: answer.status, field: answer.body.field }).toEqual({ status: 400, field: 'sdp' });
      expect(answer.body.error).toMatch(/1000 m-lines/);
    });

    it('an offer with a hundred `me#primary` lines makes producers on the publishing lines only', async () => {
      const publisher = (await api.post(`${c}/participants`, { name: 'Many' })).body;
      const answer = await client(platform.url, publisher.token).post(c, { sdp: withLines(100) });
      expect(answer.status).toBe(200);
      // The microphone and the camera of mids 1 and 2; every other sending line is answered inactive.
      expect(answer.body.sdp.match(/a=recvonly/g)).toHaveLength(2);
    });
  });

  describe('7. No back-pressure on application sockets', () => {
    it('a socket that stops reading is closed with 4002 once its unread notifications pass the limit', async () => {
      const socket = await AppSocket.open(platform.url, app.id, conferenceId, app.token);
      // The reader stops: bytes pile up in the kernel's buffers, then in the notifier.
      (socket.ws as unknown as { _socket: Socket })._socket.pause();
      const text = 'x'.repeat(16_000);
      let sent = 0;
      while (!/its reader fell behind/.test(platform.logsOf('notifier')) && sent < 2000) {
        const answer = await client(platform.url, participant.token).post(`${c}/messages`, {
          sendTo: app.id,
          text,
        });
        expect(answer.status).toBe(200);
        sent++;
      }
      expect(platform.logsOf('notifier')).toMatch(/its reader fell behind/);
      // The notifier kept no more than its limit: the kernel's buffers hold the rest of what arrives.
      (socket.ws as unknown as { _socket: Socket })._socket.resume();
      expect(await socket.closed).toEqual({ code: 4002, reason: 'too slow: notifications left unread' });
      expect(socket.received.length).toBeGreaterThan(0);
      expect(socket.received.length).toBeLessThan(sent);

      // What a reconnecting application does: opens a new socket and reads the state it missed.
      const again = await AppSocket.open(platform.url, app.id, conferenceId, app.token);
      expect((await api.get(c)).status).toBe(200);
      const next = await client(platform.url, participant.token).post(`${c}/messages`, {
        sendTo: app.id,
        text: 'hi',
      });
      await again.next((n) => n.location === `/messages/${next.body.id}`);
      again.close();
    });
  });

  describe('8. SIP fields, NATS without authentication, cached application tokens', () => {
    const PUBLIC = 'sip:bob@8.8.8.8';
    it.each([
      ['dial', { from: PUBLIC, to: `${PUBLIC}\r\nVia: SIP/2.0/UDP evil` }, 'to', /control characters/],
      ['dial', { from: 'Ann\r\n <sip:a@8.8.8.8>', to: PUBLIC }, 'from', /control characters/],
      ['dial', { from: PUBLIC, to: 'sip:bob@127.0.0.1' }, 'to', /private, local or reserved/],
      ['dial', { from: PUBLIC, to: 'Bob <sip:bob@localhost:5060>' }, 'to', /private, local or reserved/],
      ['dial', { from: PUBLIC, to: 'sip:bob@2130706433' }, 'to', /private, local or reserved/],
      ['dial', { from: PUBLIC, to: PUBLIC, proxy: 'sip:[::1]:5060' }, 'proxy', /private, local or reserved/],
      ['dial', { from: PUBLIC, to: 'sip:bob@8.8.8.8:6379' }, 'to', /port 6379 is not allowed/],
      ['dial', { from: PUBLIC, to: `${PUBLIC}?Subject=hi` }, 'to', /URI headers/],
      ['dial', { from: PUBLIC, to: 'http://8.8.8.8/' }, 'to', /not a SIP URI/],
      ['forward', { destination: 'sip:carol@10.0.0.1' }, 'destination', /private, local or reserved/],
      ['forward', { destination: `${PUBLIC}\nX: y` }, 'destination', /control characters/],
    ])('POST {c}/participants/{p}/%s %j -> 400 naming the field', async (route, body, field, error) => {
      const answer = await api.post(`${c}/participants/${participant.id}/${route}`, body);
      expect({ status: answer.status, field: answer.body.field }).toEqual({ status: 400, field });
      expect(answer.body.error).toMatch(error);
    });

    it('a well-formed public callee passes (the caller is not contacted, so a local `from` is fine)', async () => {
      const answer = await api.post(`${c}/participants/${participant.id}/dial`, {
        from: 'Ann <sip:ann@127.0.0.1>',
        to: PUBLIC,
      });
      // Past every check: this platform has no media node to bridge a call (503).
      expect(answer.status).toBe(503);
    });

    it('the platform’s NATS refuses a client without its credentials', async () => {
      // `npm test` runs the platform's own NATS, with a password (deploy/nats-env.sh).
      expect(platform.env.MIND_NATS_USER).toBeTruthy();
      await expect(connectNats({ servers: platform.env.NATS_URL! })).rejects.toMatchObject({
        code: 'AUTHORIZATION_VIOLATION',
      });
    });

    it('callers’ tokens never cross NATS: the gateway and the notifier send their digests', async () => {
      const nc = await platform.nats();
      const seen: string[] = [];
      const sub = nc.subscribe('>', { callback: (_error, message) => seen.push(message.string()) });
      try {
        expect((await api.get(c)).status).toBe(200);
        expect((await client(platform.url, participant.token).get(c)).status).toBe(200);
        const socket = await AppSocket.open(platform.url, app.id, conferenceId, app.token);
        socket.close();
        await nc.flush();
      } finally {
        sub.unsubscribe();
        await nc.close();
      }
      const traffic = seen.join('\n');
      expect(traffic).toContain(tokenDigest(app.token));
      expect(traffic).toContain(tokenDigest(participant.token));
      expect(traffic).not.toContain(app.token);
      expect(traffic).not.toContain(participant.token);
    });

    it('a rotated or deleted application token stops working at once on every conference service', async () => {
      await platform.startExtraInstance('conference', 'second');
      const victim = await platform.createApplication({ name: 'revoked' });
      const victimConference = (await client(platform.url, victim.token).post(`/${victim.id}`, {})).body.id;
      const path = `/${victim.id}/${victimConference}`;
      const statuses = async (token: string) =>
        Promise.all(Array.from({ length: 10 }, () => client(platform.url, token).get(path))).then((answers) =>
          answers.map((a) => a.status),
        );
      // Both conference services answer (one NATS queue group) and remember the token.
      expect(await statuses(victim.token)).toEqual(new Array(10).fill(200));

      const rotated = (await platform.operator('rotate-application-token', '--id', victim.id)) as {
        token: string;
      };
      expect(await statuses(victim.token)).toEqual(new Array(10).fill(401));
      expect(await statuses(rotated.token)).toEqual(new Array(10).fill(200));

      const db = new PgClient({ connectionString: platform.env.DATABASE_URL });
      await db.connect();
      await db.query('DELETE FROM application WHERE id = $1', [victim.id]);
      await db.end();
      expect(await statuses(rotated.token)).toEqual(new Array(10).fill(401));
    });
  });
});

describe('6. No rate limiting anywhere', () => {
  let platform: Platform;
  let app: { id: string; token: string };
  let c: string;
  let participant: { id: string; token: string };
  let otherGateway: string;
  // The messages' limit is the default one.
  const LIMITS = { failedAuth: 20, messages: 300, offers: 20 };

  beforeAll(async () => {
    platform = await Platform.start({
      MIND_RATE_FAILED_AUTH_PER_IP: String(LIMITS.failedAuth),
      MIND_RATE_MESSAGES_PER_TOKEN: String(LIMITS.messages),
      MIND_RATE_OFFERS_PER_TOKEN: String(LIMITS.offers),
    });
    // A second gateway: the limits hold across instances.
    otherGateway = await platform.startExtraInstance('gateway', 'second');
    app = await platform.createApplication({ name: 'rate limits', maxParticipants: 10 });
    const api = client(platform.url, app.token);
    const conferenceId = (await api.post(`/${app.id}`, { name: 'rates' })).body.id;
    c = `/${app.id}/${conferenceId}`;
    participant = (await api.post(`${c}/participants`, { name: 'Chatty' })).body;
  });
  afterAll(() => platform.close());

  /** Sends `count` requests, alternating between the two gateways; returns the statuses in order. */
  async function burst(count: number, send: (base: string, i: number) => Promise<{ status: number }>) {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++)
      statuses.push((await send(i % 2 ? otherGateway : platform.url, i)).status);
    return statuses;
  }

  it('1,000 messages by one participant: beyond the limit (counted across gateways), 429 with Retry-After', async () => {
    const statuses = await burst(1000, (base) =>
      client(base, participant.token).post(`${c}/messages`, { sendTo: c.split('/')[2], text: 'spam' }),
    );
    expect(statuses.slice(0, LIMITS.messages)).toEqual(new Array(LIMITS.messages).fill(200));
    expect(statuses.slice(LIMITS.messages)).toEqual(new Array(1000 - LIMITS.messages).fill(429));
    const refused = await call(platform.url, 'POST', `${c}/messages`, {
      token: participant.token,
      body: { sendTo: c.split('/')[2], text: 'spam' },
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('session offers of one token are limited too', async () => {
    const sdp = offerFixture('chromium-datachannel-only.sdp');
    const statuses = await burst(LIMITS.offers + 5, (base) =>
      client(base, participant.token).post(c, { sdp }),
    );
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
    expect(statuses.slice(0, LIMITS.offers).every((status) => status !== 429)).toBe(true);
  });

  // Last: it blocks this address for everything until the window ends.
  it('200 bad-token requests: after the limit the address gets 429 for everything, a valid token too', async () => {
    // A made-up X-Forwarded-For does not make the requests come from elsewhere (finding 8, trustProxy).
    const statuses = await burst(200, (base, i) =>
      client(base, 'not-a-token').get(c, { headers: { 'x-forwarded-for': `203.0.113.${i}` } }),
    );
    expect(statuses.slice(0, LIMITS.failedAuth)).toEqual(new Array(LIMITS.failedAuth).fill(401));
    expect(new Set(statuses.slice(LIMITS.failedAuth))).toEqual(new Set([429]));
    expect((await client(platform.url, app.token).get(c)).status).toBe(429);
  });
});

describe('8. A blocked address is blocked at every gateway', () => {
  let platform: Platform;
  afterAll(() => platform.close());

  it('failures seen by one gateway block the address at another, which saw none of them', async () => {
    platform = await Platform.start({ MIND_RATE_FAILED_AUTH_PER_IP: '3' });
    const other = await platform.startExtraInstance('gateway', 'unaware');
    const app = await platform.createApplication({ name: 'blocked everywhere' });
    const api = client(platform.url, app.token);
    const conference = `/${app.id}/${(await api.post(`/${app.id}`, { name: 'block' })).body.id}`;
    expect((await client(other, app.token).get(conference)).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await client(platform.url, 'not-a-token').get(conference)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // The other gateway hears of the block over NATS, within milliseconds.
    const atOther = await waitFor(
      () => client(other, app.token).get(conference),
      ({ status }) => status === 429,
      2000,
    );
    expect(atOther.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await client(platform.url, app.token).get(conference)).status).toBe(429);
  });
});

describe('8. The Fastify `trustProxy: true` is unconditional', () => {
  let platform: Platform;
  let app: { id: string; token: string };
  let trusting: string;

  beforeAll(async () => {
    platform = await Platform.start({ MIND_RATE_FAILED_AUTH_PER_IP: '5' });
    // A gateway behind a proxy on this machine: it takes the client's address from X-Forwarded-For.
    trusting = await platform.startExtraInstance('gateway', 'behind-proxy', {
      MIND_HTTP_TRUST_PROXY: '127.0.0.1',
    });
    app = await platform.createApplication({ name: 'proxies' });
  });
  afterAll(() => platform.close());

  it('X-Forwarded-For names the client only when a listed proxy sent it', async () => {
    const conference = `/${app.id}/${randomUUID()}`;
    const badToken = (base: string, from: string) =>
      client(base, 'not-a-token').get(conference, { headers: { 'x-forwarded-for': from } });
    // Through the gateway that trusts no proxy, every request is 127.0.0.1's, whatever it claims.
    const direct = [];
    for (let i = 0; i < 8; i++) direct.push((await badToken(platform.url, `198.51.100.${i}`)).status);
    expect(direct).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // Behind the trusted proxy each forwarded address is counted on its own: none is blocked yet.
    for (let i = 0; i < 8; i++) expect((await badToken(trusting, `198.51.100.${i}`)).status).toBe(401);
  });
});

describe('8. NATS with a password and TLS', () => {
  it('the whole platform runs against a NATS server that requires both', async () => {
    const nats = await TlsNatsServer.start();
    try {
      // Without the server's certificate to check it against, no connection.
      await expect(
        connectNats({
          servers: nats.env.NATS_URL!,
          user: nats.env.MIND_NATS_USER,
          pass: nats.env.MIND_NATS_PASSWORD,
        }),
      ).rejects.toThrow();
      const platform = await Platform.start(nats.env);
      try {
        const app = await platform.createApplication({ name: 'over TLS' });
        const created = await client(platform.url, app.token).post(`/${app.id}`, { name: 'tls' });
        expect(created.status).toBe(200);
        const socket = await AppSocket.open(platform.url, app.id, created.body.id, app.token);
        await client(platform.url, app.token).delete(`/${app.id}/${created.body.id}`);
        expect((await socket.closed).code).toBe(4000);
      } finally {
        await platform.close();
      }
    } finally {
      await nats.close();
    }
  });
});
