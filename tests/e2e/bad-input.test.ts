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

const SIP = 'sip:alice@example.com';
const long = (length: number) => 'x'.repeat(length);
const unknownUuid = randomUUID();

const table: BadCase[] = [
  // Create conference: wrong types and enum values for every field.
  { label: 'create conference: name is a number', method: 'POST', path: '/{a}', body: { name: 42 }, status: 400, field: 'name' },
  { label: 'create conference: name is null', method: 'POST', path: '/{a}', body: { name: null }, status: 400, field: 'name' },
  { label: 'create conference: layout is a number', method: 'POST', path: '/{a}', body: { layout: 1 }, status: 400, field: 'layout' },
  { label: 'create conference: layout "grid"', method: 'POST', path: '/{a}', body: { layout: 'grid' }, status: 400, field: 'layout' },
  { label: 'create conference: recordingLayout "foo"', method: 'POST', path: '/{a}', body: { recordingLayout: 'foo' }, status: 400, field: 'recordingLayout' },
  { label: 'create conference: recordingLayout is a boolean', method: 'POST', path: '/{a}', body: { recordingLayout: true }, status: 400, field: 'recordingLayout' },
  { label: 'create conference: name one char too long', method: 'POST', path: '/{a}', body: { name: long(LIMITS.nameLength + 1) }, status: 400, field: 'name' },
  // Modify conference.
  { label: 'modify conference: layout "grid"', method: 'PATCH', path: '{c}', body: { layout: 'grid' }, status: 400, field: 'layout' },
  { label: 'modify conference: name one char too long', method: 'PATCH', path: '{c}', body: { name: long(LIMITS.nameLength + 1) }, status: 400, field: 'name' },
  { label: 'modify conference: name is an array', method: 'PATCH', path: '{c}', body: { name: ['a'] }, status: 400, field: 'name' },
  // Create participant.
  { label: 'create participant: role "admin"', method: 'POST', path: '{c}/participants', body: { role: 'admin' }, status: 400, field: 'role' },
  { label: 'create participant: language "xx"', method: 'POST', path: '{c}/participants', body: { language: 'xx' }, status: 400, field: 'language' },
  { label: 'create participant: priority negative', method: 'POST', path: '{c}/participants', body: { priority: -1 }, status: 400, field: 'priority' },
  { label: 'create participant: priority is a string', method: 'POST', path: '{c}/participants', body: { priority: 'high' }, status: 400, field: 'priority' },
  { label: 'create participant: priority is an object', method: 'POST', path: '{c}/participants', body: { priority: { value: 1 } }, status: 400, field: 'priority' },
  { label: 'create participant: layout "grid"', method: 'POST', path: '{c}/participants', body: { layout: 'grid' }, status: 400, field: 'layout' },
  { label: 'create participant: name is a number', method: 'POST', path: '{c}/participants', body: { name: 7 }, status: 400, field: 'name' },
  // Modify participant.
  { label: 'modify participant: name one char too long', method: 'PATCH', path: '{c}/participants/{p}', body: { name: long(LIMITS.nameLength + 1) }, status: 400, field: 'name' },
  { label: 'modify participant: priority negative', method: 'PATCH', path: '{c}/participants/{p}', body: { priority: -5 }, status: 400, field: 'priority' },
  { label: 'modify participant: role "admin"', method: 'PATCH', path: '{c}/participants/{p}', body: { role: 'admin' }, status: 400, field: 'role' },
  { label: 'modify participant: language "xx"', method: 'PATCH', path: '{c}/participants/{p}', body: { language: 'xx' }, status: 400, field: 'language' },
  // Messages.
  { label: 'message: text one char too long', method: 'POST', path: '{c}/messages', body: { sendTo: '{c-id}', text: long(LIMITS.messageLength + 1) }, status: 400, field: 'text' },
  { label: 'message: sendTo is not a UUID', method: 'POST', path: '{c}/messages', body: { sendTo: 'not-a-uuid', text: 'hi' }, status: 400, field: 'sendTo' },
  { label: 'message: sendTo missing', method: 'POST', path: '{c}/messages', body: { text: 'hi' }, status: 400, field: 'sendTo' },
  { label: 'message: sendTo a UUID that is not in the conference', method: 'POST', path: '{c}/messages', body: { sendTo: unknownUuid, text: 'hi' }, status: 400, field: 'sendTo' },
  { label: 'message: text missing', method: 'POST', path: '{c}/messages', body: { sendTo: '{c-id}' }, status: 400, field: 'text' },
  { label: 'message: text is a number', method: 'POST', path: '{c}/messages', body: { sendTo: '{c-id}', text: 12 }, status: 400, field: 'text' },
  { label: 'message: persistent is a string', method: 'POST', path: '{c}/messages', body: { sendTo: '{c-id}', text: 'hi', persistent: 'yes' }, status: 400, field: 'persistent' },
  // Transcription.
  { label: 'transcription: started "yes"', method: 'PATCH', path: '{c}/transcription', body: { started: 'yes' }, status: 400, field: 'started' },
  // Streamings.
  { label: 'streaming: http:// url', method: 'POST', path: '{c}/streamings', body: { url: 'http://x' }, status: 400, field: 'url' },
  { label: 'streaming: url "rtmp:/bad"', method: 'POST', path: '{c}/streamings', body: { url: 'rtmp:/bad' }, status: 400, field: 'url' },
  { label: 'streaming: url missing', method: 'POST', path: '{c}/streamings', body: {}, status: 400, field: 'url' },
  { label: 'streaming: 3000-char url', method: 'POST', path: '{c}/streamings', body: { url: `rtmp://example.com/${long(3000)}` }, status: 400, field: 'url' },
  { label: 'streaming: ftp:// url', method: 'POST', path: '{c}/streamings', body: { url: 'ftp://example.com/live' }, status: 400, field: 'url' },
  { label: 'streaming: url is a number', method: 'POST', path: '{c}/streamings', body: { url: 1935 }, status: 400, field: 'url' },
  // SIP dial and forward.
  { label: 'dial: from missing', method: 'POST', path: '{c}/participants/{p}/dial', body: { to: SIP }, status: 400, field: 'from' },
  { label: 'dial: to missing', method: 'POST', path: '{c}/participants/{p}/dial', body: { from: SIP }, status: 400, field: 'to' },
  { label: 'dial: from empty', method: 'POST', path: '{c}/participants/{p}/dial', body: { from: '', to: SIP }, status: 400, field: 'from' },
  { label: 'dial: timeout 4', method: 'POST', path: '{c}/participants/{p}/dial', body: { from: SIP, to: SIP, timeout: 4 }, status: 400, field: 'timeout' },
  { label: 'dial: timeout 31', method: 'POST', path: '{c}/participants/{p}/dial', body: { from: SIP, to: SIP, timeout: 31 }, status: 400, field: 'timeout' },
  { label: 'dial: timeout "abc"', method: 'POST', path: '{c}/participants/{p}/dial', body: { from: SIP, to: SIP, timeout: 'abc' }, status: 400, field: 'timeout' },
  { label: 'dial: timeout 5.5', method: 'POST', path: '{c}/participants/{p}/dial', body: { from: SIP, to: SIP, timeout: 5.5 }, status: 400, field: 'timeout' },
  { label: 'dial: timeout "31"', method: 'POST', path: '{c}/participants/{p}/dial', body: { from: SIP, to: SIP, timeout: '31' }, status: 400, field: 'timeout' },
  { label: 'forward: destination missing', method: 'POST', path: '{c}/participants/{p}/forward', body: {}, status: 400, field: 'destination' },
  // WebRTC session (participant's own token).
  { label: 'session: sdp missing', method: 'POST', path: '{c}/participants/{p}', body: {}, as: 'participant', status: 400, field: 'sdp' },
  { label: 'session: sdp is a number', method: 'POST', path: '{c}/participants/{p}', body: { sdp: 5 }, as: 'participant', status: 400, field: 'sdp' },
  { label: 'session (SDK form on the conference URI): sdp missing', method: 'POST', path: '{c}', body: { type: 'offer' }, as: 'participant', status: 400, field: 'sdp' },
  // Bodies that are JSON but not an object.
  { label: 'body is a JSON array', method: 'POST', path: '/{a}', rawBody: '[{"name":"x"}]', status: 400 },
  { label: 'body is a JSON string', method: 'POST', path: '/{a}', rawBody: '"conference"', status: 400 },
  { label: 'body is JSON null', method: 'POST', path: '/{a}', rawBody: 'null', status: 400 },
  { label: 'body is a JSON number', method: 'PATCH', path: '{c}', rawBody: '42', status: 400 },
  // Bodies that are not JSON.
  { label: 'invalid JSON "{"', method: 'POST', path: '/{a}', rawBody: '{', status: 400 },
  { label: 'invalid JSON "{name:1}"', method: 'POST', path: '/{a}', rawBody: '{name:1}', status: 400 },
  { label: 'invalid JSON with a trailing comma', method: 'POST', path: '{c}/participants', rawBody: '{"name":"Ann",}', status: 400 },
  { label: 'invalid JSON (single quotes)', method: 'PATCH', path: '{c}', rawBody: "{'name':'x'}", status: 400 },
  // Content types.
  { label: 'Content-Type text/plain with a body', method: 'POST', path: '/{a}', rawBody: '{"name":"x"}', contentType: 'text/plain', status: 415 },
  { label: 'Content-Type application/x-www-form-urlencoded', method: 'POST', path: '/{a}', rawBody: 'name=x', contentType: 'application/x-www-form-urlencoded', status: 415 },
  { label: 'no Content-Type with a non-empty body', method: 'POST', path: '/{a}', rawBody: Buffer.from('{"name":"x"}'), contentType: null, status: 415 },
  { label: 'Content-Type application/xml', method: 'PATCH', path: '{c}', rawBody: '<name>x</name>', contentType: 'application/xml', status: 415 },
  { label: 'Content-Type multipart/form-data', method: 'POST', path: '{c}/messages', rawBody: '--b\r\n\r\nx\r\n--b--', contentType: 'multipart/form-data; boundary=b', status: 415 },
  { label: 'body over 1 MiB', method: 'POST', path: '/{a}', rawBody: JSON.stringify({ name: long(1024 * 1024) }), status: 413 },
  // Invalid UUIDs in the path: 404 naming the parameter.
  { label: 'path: applicationId "not-a-uuid" (create)', method: 'POST', path: '/not-a-uuid', body: {}, status: 404, field: 'applicationId' },
  { label: 'path: applicationId "123" (get conference)', method: 'GET', path: '/123/{c-id}', status: 404, field: 'applicationId' },
  { label: 'path: conferenceId "not-a-uuid"', method: 'GET', path: '/{a}/not-a-uuid', status: 404, field: 'conferenceId' },
  { label: 'path: conferenceId "123" (participants)', method: 'GET', path: '/{a}/123/participants', status: 404, field: 'conferenceId' },
  { label: 'path: conferenceId a UUID with a missing digit', method: 'DELETE', path: '/{a}/{c-id-short}', status: 404, field: 'conferenceId' },
  { label: 'path: participantId "not-a-uuid"', method: 'GET', path: '{c}/participants/not-a-uuid', status: 404, field: 'participantId' },
  { label: 'path: participantId "123" (modify)', method: 'PATCH', path: '{c}/participants/123', body: { name: 'x' }, status: 404, field: 'participantId' },
  { label: 'path: streamingId "not-a-uuid"', method: 'GET', path: '{c}/streamings/not-a-uuid', status: 404, field: 'streamingId' },
  { label: 'path: streamingId "123" (delete)', method: 'DELETE', path: '{c}/streamings/123', status: 404, field: 'streamingId' },
  // Unknown routes and methods.
  { label: 'unknown route under a conference', method: 'GET', path: '{c}/nope', status: 404 },
  { label: 'unknown route under a participant', method: 'GET', path: '{c}/participants/{p}/nope', status: 404 },
  { label: 'unknown deep route', method: 'GET', path: '{c}/streamings/{p}/x/y', status: 404 },
  { label: 'GET on a POST-only route', method: 'GET', path: '{c}/recording/start', status: 404 },
  { label: 'PUT on the conference', method: 'PUT', path: '{c}', body: { name: 'x' }, status: 404 },
  { label: 'PUT on a participant', method: 'PUT', path: '{c}/participants/{p}', body: { name: 'x' }, status: 404 },
  // Query.
  { label: '?detailed=maybe', method: 'GET', path: '{c}?detailed=maybe', status: 400, field: 'detailed' },
  { label: '?detailed=yes with a trailing slash', method: 'GET', path: '{c}/?detailed=yes', status: 400, field: 'detailed' },
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
    platform = await Platform.start();
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
    expect({ status: answer.status, field: answer.body?.field }).toEqual({ status: row.status, field: row.field });
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(typeof answer.body?.error).toBe('string');
  });

  describe('what must not be an error', () => {
    it('accepts a SIP dial timeout given as a numeric string (reaches the unavailable SIP service)', async () => {
      const answer = await api.post(`${c}/participants/${participant.id}/dial`, { from: SIP, to: SIP, timeout: '15' });
      expect(answer.status).toBe(501);
    });

    it('accepts Content-Type application/json with parameters', async () => {
      for (const contentType of ['application/json; charset=UTF-8', 'application/json;charset=utf-8', 'application/json']) {
        const answer = await call(platform.url, 'POST', `/${app.id}`, {
          token: app.token,
          body: { name: 'charset' },
          contentType,
        });
        expect({ contentType, status: answer.status }).toEqual({ contentType, status: 200 });
      }
    });

    it('accepts a GET that carries a JSON Content-Type', async () => {
      const answer = await call(platform.url, 'GET', c, { token: app.token, contentType: 'application/json' });
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
      const sent = await api.post(`${c}/messages`, { sendTo: participant.id, text: 'kept', persistent: true });
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
      expect(empty.status).toBe(501);
      const none = await call(platform.url, 'POST', `${c}/recording/start`, { token: app.token });
      expect(none.status).toBe(501);
      const braces = await api.post(`${c}/recording/start`, {});
      expect(braces.status).toBe(501);
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
