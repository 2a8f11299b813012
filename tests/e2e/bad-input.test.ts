import { randomUUID } from 'node:crypto';
import { LIMITS } from '@mind/contracts';
import { call, client, Platform, type HttpResult } from './harness';

/**
 * Bad input: malformed requests of every kind (wrong types, bad enums, huge strings, invalid UUIDs,
 * wrong content types, invalid JSON) are answered with the exact 4xx of the contract and a JSON
 * `{ error, field? }` body, never a 5xx, and the service keeps answering afterwards.
 *
 * Paths use placeholders resolved once the fixtures exist: `{a}` application id, `{c}` the
 * `/{applicationId}/{conferenceId}` prefix, `{p}` a participant id.
 */
interface BadCase {
  label: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  path: string;
  body?: unknown;
  rawBody?: string | Buffer;
  /** Defaults to the harness' `application/json; charset=UTF-8`; `null` sends none. */
  contentType?: string | null;
  /** Whose token the request carries (default: the application's). */
  as?: 'application' | 'participant';
  status: number;
  /** For a 400 caused by one field (or a 404 caused by one path parameter): the `field` of the error body. */
  field?: string;
}

// Local and allowed (MIND_OUTBOUND_ALLOW below): it passes the outbound rules without a DNS lookup.
const SIP = 'sip:alice@127.0.0.1';
const long = (length: number) => 'x'.repeat(length);
const unknownUuid = randomUUID();
type Method = BadCase['method'];

/** Rows of 400s for one route: `(what, JSON body, offending field)`. */
const invalid =
  (method: Method, path: string, as?: BadCase['as']) =>
  (what: string, body: unknown, field: string): BadCase => ({
    label: `${method} ${path} ${what}`,
    method,
    path,
    body,
    as,
    status: 400,
    field,
  });
/** Any other row; `request` holds the body, raw body or content type, and `field` when one is expected. */
const row = (
  what: string,
  method: Method,
  path: string,
  status: number,
  request: Pick<BadCase, 'body' | 'rawBody' | 'contentType' | 'field'> = {},
): BadCase => ({ label: `${method} ${path} ${what}`, method, path, status, ...request });

const C = '{c}';
const P = '{c}/participants/{p}';
const createConference = invalid('POST', '/{a}');
const updateConference = invalid('PATCH', C);
const createParticipant = invalid('POST', `${C}/participants`);
const updateParticipant = invalid('PATCH', P);
const sendMessage = invalid('POST', `${C}/messages`);
const createStreaming = invalid('POST', `${C}/streamings`);
const dial = invalid('POST', `${P}/dial`);
const session = invalid('POST', P, 'participant');
const ownSession = invalid('POST', C, 'participant');

const table: BadCase[] = [
  // Create conference: wrong types and enum values for every field.
  createConference('name is a number', { name: 42 }, 'name'),
  createConference('name is null', { name: null }, 'name'),
  createConference('name one char too long', { name: long(LIMITS.nameLength + 1) }, 'name'),
  createConference('layout is a number', { layout: 1 }, 'layout'),
  createConference('layout "grid"', { layout: 'grid' }, 'layout'),
  createConference('recordingLayout "foo"', { recordingLayout: 'foo' }, 'recordingLayout'),
  createConference('recordingLayout is a boolean', { recordingLayout: true }, 'recordingLayout'),
  // Modify conference.
  updateConference('layout "grid"', { layout: 'grid' }, 'layout'),
  updateConference('name one char too long', { name: long(LIMITS.nameLength + 1) }, 'name'),
  updateConference('name is an array', { name: ['a'] }, 'name'),
  // Create and modify participant.
  createParticipant('role "admin"', { role: 'admin' }, 'role'),
  createParticipant('language "xx"', { language: 'xx' }, 'language'),
  createParticipant('priority negative', { priority: -1 }, 'priority'),
  createParticipant('priority is a string', { priority: 'high' }, 'priority'),
  createParticipant('priority is an object', { priority: { value: 1 } }, 'priority'),
  createParticipant('layout "grid"', { layout: 'grid' }, 'layout'),
  createParticipant('name is a number', { name: 7 }, 'name'),
  updateParticipant('name one char too long', { name: long(LIMITS.nameLength + 1) }, 'name'),
  updateParticipant('priority negative', { priority: -5 }, 'priority'),
  updateParticipant('priority is a string', { priority: '1' }, 'priority'),
  updateParticipant('role "admin"', { role: 'admin' }, 'role'),
  updateParticipant('language "xx"', { language: 'xx' }, 'language'),
  // Messages ({c-id}: the conference id, i.e. everyone).
  sendMessage('text one char too long', { sendTo: '{c-id}', text: long(LIMITS.messageLength + 1) }, 'text'),
  sendMessage('sendTo is not a UUID', { sendTo: 'not-a-uuid', text: 'hi' }, 'sendTo'),
  sendMessage('sendTo missing', { text: 'hi' }, 'sendTo'),
  sendMessage('sendTo a UUID not of this conference', { sendTo: unknownUuid, text: 'hi' }, 'sendTo'),
  sendMessage('text missing', { sendTo: '{c-id}' }, 'text'),
  sendMessage('text is a number', { sendTo: '{c-id}', text: 12 }, 'text'),
  sendMessage('persistent "yes"', { sendTo: '{c-id}', text: 'hi', persistent: 'yes' }, 'persistent'),
  // Transcription.
  invalid('PATCH', `${C}/transcription`)('started "yes"', { started: 'yes' }, 'started'),
  // Streamings.
  createStreaming('url "http://x"', { url: 'http://x' }, 'url'),
  createStreaming('url "rtmp:/bad"', { url: 'rtmp:/bad' }, 'url'),
  createStreaming('url missing', {}, 'url'),
  createStreaming('url of 3000 chars', { url: `rtmp://example.com/${long(3000)}` }, 'url'),
  createStreaming('url ftp://', { url: 'ftp://example.com/live' }, 'url'),
  createStreaming('url is a number', { url: 1935 }, 'url'),
  // SIP dial and forward.
  dial('from missing', { to: SIP }, 'from'),
  dial('to missing', { from: SIP }, 'to'),
  dial('from empty', { from: '', to: SIP }, 'from'),
  dial('timeout 4', { from: SIP, to: SIP, timeout: 4 }, 'timeout'),
  dial('timeout 31', { from: SIP, to: SIP, timeout: 31 }, 'timeout'),
  dial('timeout "abc"', { from: SIP, to: SIP, timeout: 'abc' }, 'timeout'),
  dial('timeout 5.5', { from: SIP, to: SIP, timeout: 5.5 }, 'timeout'),
  dial('timeout "31"', { from: SIP, to: SIP, timeout: '31' }, 'timeout'),
  dial('to with a CR LF', { from: SIP, to: `${SIP}\r\nVia: SIP/2.0/UDP x` }, 'to'),
  invalid('POST', `${P}/forward`)('destination missing', {}, 'destination'),
  // WebRTC session, with the participant's own token, on both URIs.
  session('sdp missing', {}, 'sdp'),
  session('sdp is a number', { sdp: 5 }, 'sdp'),
  ownSession('sdp missing', { type: 'offer' }, 'sdp'),
  // Bodies that are JSON but not an object.
  row('body a JSON array', 'POST', '/{a}', 400, { rawBody: '[{"name":"x"}]' }),
  row('body a JSON string', 'POST', '/{a}', 400, { rawBody: '"conference"' }),
  row('body JSON null', 'POST', '/{a}', 400, { rawBody: 'null' }),
  row('body a JSON number', 'PATCH', C, 400, { rawBody: '42' }),
  // Bodies that are not JSON.
  row('invalid JSON "{"', 'POST', '/{a}', 400, { rawBody: '{' }),
  row('invalid JSON "{name:1}"', 'POST', '/{a}', 400, { rawBody: '{name:1}' }),
  row('invalid JSON with a trailing comma', 'POST', `${C}/participants`, 400, { rawBody: '{"name":"Ann",}' }),
  row('invalid JSON with single quotes', 'PATCH', C, 400, { rawBody: "{'name':'x'}" }),
  // Content types and size.
  row('Content-Type text/plain', 'POST', '/{a}', 415, { rawBody: '{"name":"x"}', contentType: 'text/plain' }),
  row('Content-Type form-urlencoded', 'POST', '/{a}', 415, {
    rawBody: 'name=x',
    contentType: 'application/x-www-form-urlencoded',
  }),
  // A Buffer body: fetch adds no Content-Type of its own (it would add text/plain for a string).
  row('no Content-Type, non-empty body', 'POST', '/{a}', 415, {
    rawBody: Buffer.from('{}'),
    contentType: null,
  }),
  row('Content-Type application/xml', 'PATCH', C, 415, {
    rawBody: '<name>x</name>',
    contentType: 'application/xml',
  }),
  row('Content-Type multipart/form-data', 'POST', `${C}/messages`, 415, {
    rawBody: '--b\r\n\r\nx\r\n--b--',
    contentType: 'multipart/form-data; boundary=b',
  }),
  row('body over 1 MiB', 'POST', '/{a}', 413, { rawBody: JSON.stringify({ name: long(1024 * 1024) }) }),
  // Invalid UUIDs in the path: 404 naming the parameter.
  row('applicationId "not-a-uuid"', 'POST', '/not-a-uuid', 404, { body: {}, field: 'applicationId' }),
  row('applicationId "123"', 'GET', '/123/{c-id}', 404, { field: 'applicationId' }),
  row('conferenceId "not-a-uuid"', 'GET', '/{a}/not-a-uuid', 404, { field: 'conferenceId' }),
  row('conferenceId "123"', 'GET', '/{a}/123/participants', 404, { field: 'conferenceId' }),
  row('conferenceId a UUID short of one digit', 'DELETE', '/{a}/{c-id-short}', 404, {
    field: 'conferenceId',
  }),
  row('participantId "not-a-uuid"', 'GET', `${C}/participants/not-a-uuid`, 404, { field: 'participantId' }),
  row('participantId "123"', 'PATCH', `${C}/participants/123`, 404, {
    body: { name: 'x' },
    field: 'participantId',
  }),
  row('streamingId "not-a-uuid"', 'GET', `${C}/streamings/not-a-uuid`, 404, { field: 'streamingId' }),
  row('streamingId "123"', 'DELETE', `${C}/streamings/123`, 404, { field: 'streamingId' }),
  // Unknown routes, and known paths with a method they do not have (Fastify: 404, like any unknown route).
  row('unknown route under a conference', 'GET', `${C}/nope`, 404),
  row('unknown route under a participant', 'GET', `${P}/nope`, 404),
  row('unknown deep route', 'GET', `${C}/streamings/{p}/x/y`, 404),
  row('on a POST-only route', 'GET', `${C}/recording/start`, 404),
  row('on the conference', 'PUT', C, 404, { body: { name: 'x' } }),
  row('on a participant', 'PUT', P, 404, { body: { name: 'x' } }),
  // Query.
  row('detailed "maybe"', 'GET', `${C}?detailed=maybe`, 400, { field: 'detailed' }),
  row('detailed "yes", with a trailing slash', 'GET', `${C}/?detailed=yes`, 400, { field: 'detailed' }),
];

describe('bad input', () => {
  let platform: Platform;
  let app: { id: string; token: string };
  let api: ReturnType<typeof client>;
  let conference: { id: string; name: string };
  let participant: { id: string; token: string };
  let c: string;
  const answered: { label: string; status: number }[] = [];

  beforeAll(async () => {
    platform = await Platform.start({ MIND_OUTBOUND_ALLOW: '127.0.0.1' });
    app = await platform.createApplication({ name: 'bad input tests', maxParticipants: 10 });
    api = client(platform.url, app.token);
    const created = await api.post(`/${app.id}`, { name: 'bad input' });
    expect(created.status).toBe(200);
    conference = created.body;
    c = `/${app.id}/${conference.id}`;
    const joined = await api.post(`${c}/participants`, { name: 'Ann', role: 'moderator' });
    expect(joined.status).toBe(200);
    participant = joined.body;
  });
  afterAll(() => platform.close());

  const resolve = (text: string) =>
    text
      .replace(/\{c\}/g, c)
      .replace(/\{a\}/g, app.id)
      .replace(/\{p\}/g, participant.id)
      .replace(/\{c-id-short\}/g, conference.id.slice(0, -1))
      .replace(/\{c-id\}/g, conference.id);

  function send(row: BadCase): Promise<HttpResult> {
    const body = row.body === undefined ? undefined : JSON.parse(resolve(JSON.stringify(row.body)));
    return call(platform.url, row.method, resolve(row.path), {
      token: row.as === 'participant' ? participant.token : app.token,
      body,
      rawBody: row.rawBody,
      contentType: row.contentType,
    });
  }

  it('has a table of at least 50 malformed requests', () => {
    expect(table.length).toBeGreaterThanOrEqual(50);
    expect(new Set(table.map((row) => row.label)).size).toBe(table.length);
  });

  it.each(table)('$label -> $status', async (row) => {
    const answer = await send(row);
    answered.push({ label: row.label, status: answer.status });
    // Compared together so that a failure shows the whole answer.
    expect({ status: answer.status, field: answer.body?.field }).toEqual({
      status: row.status,
      field: row.field,
    });
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(typeof answer.body?.error).toBe('string');
  });

  describe('what must not be an error', () => {
    it('accepts a SIP dial timeout given as a numeric string (reaches placement: no media node here, 503)', async () => {
      const answer = await api.post(`${c}/participants/${participant.id}/dial`, {
        from: SIP,
        to: SIP,
        timeout: '15',
      });
      expect(answer.status).toBe(503);
    });

    it('accepts Content-Type application/json with parameters', async () => {
      for (const contentType of [
        'application/json; charset=UTF-8',
        'application/json;charset=utf-8',
        'application/json',
      ]) {
        const answer = await call(platform.url, 'POST', `/${app.id}`, {
          token: app.token,
          body: { name: 'charset' },
          contentType,
        });
        expect({ contentType, status: answer.status }).toEqual({ contentType, status: 200 });
      }
    });

    it('accepts a GET that carries a JSON Content-Type', async () => {
      const answer = await call(platform.url, 'GET', c, {
        token: app.token,
        contentType: 'application/json',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: conference.id });
    });

    it('ignores unknown fields such as profile', async () => {
      const created = await api.post(`${c}/participants`, { name: 'Old SDK', profile: 'hd', colour: 'blue' });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ name: 'Old SDK' });
      expect(created.body).not.toHaveProperty('profile');
      const renamed = await api.patch(c, { name: 'bad input', profile: 'x' });
      expect(renamed.status).toBe(200);
    });

    it('accepts persistent: true on a message', async () => {
      const sent = await api.post(`${c}/messages`, {
        sendTo: participant.id,
        text: 'kept',
        persistent: true,
      });
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ sentTo: participant.id, sentBy: app.id, text: 'kept' });
    });

    it('treats a trailing slash as the same resource', async () => {
      const plain = await api.get(`${c}?detailed=true`);
      const slashed = await api.get(`${c}/?detailed=true`);
      expect(plain.status).toBe(200);
      expect(slashed.status).toBe(200);
      expect(slashed.body).toEqual(plain.body);
      expect((await api.get(`${c}/participants/`)).status).toBe(200);
    });

    it('accepts an upper-case UUID in the path', async () => {
      const answer = await api.get(`/${app.id.toUpperCase()}/${conference.id.toUpperCase()}`);
      expect(answer.status).toBe(200);
      expect(answer.body.id).toBe(conference.id);
      const p = await api.get(`${c}/participants/${participant.id.toUpperCase()}`);
      expect(p.status).toBe(200);
      expect(p.body.id).toBe(participant.id);
    });

    it('accepts an empty body or {} with a JSON Content-Type on recording start/stop', async () => {
      const empty = await call(platform.url, 'POST', `${c}/recording/stop`, {
        token: app.token,
        rawBody: '',
        contentType: 'application/json',
      });
      expect(empty.status).toBe(200);
      const none = await call(platform.url, 'POST', `${c}/recording/start`, { token: app.token });
      expect(none.status).toBe(200);
      const braces = await api.post(`${c}/recording/start`, {});
      expect(braces.status).toBe(200);
    });

    it('answers a CORS preflight that asks for the Mind-SDK header', async () => {
      const response = await fetch(`${platform.url}${c}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type, mind-sdk',
        },
      });
      expect(response.status).toBeGreaterThanOrEqual(200);
      expect(response.status).toBeLessThan(300);
      expect(response.headers.get('access-control-allow-origin')).toBeTruthy();
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('mind-sdk');
    });
  });

  describe('afterwards', () => {
    it('answered every row of the table, none with a 5xx', () => {
      expect(answered).toHaveLength(table.length);
      expect(answered.filter((a) => a.status >= 500)).toEqual([]);
      expect(answered.filter((a) => a.status < 400)).toEqual([]);
    });

    it('is still healthy and serving the conference', async () => {
      expect((await fetch(`${platform.url}/healthz`)).status).toBe(200);
      const answer = await api.get(c);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: conference.id, name: 'bad input' });
    });
  });
});
