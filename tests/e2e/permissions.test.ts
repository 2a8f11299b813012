import { randomInt } from 'node:crypto';
import { OPERATION_IDS, OPERATIONS, ROLES, type OperationId, type Role } from '@mind/contracts';
import { call, client, Platform, type HttpResult } from './harness';

/**
 * Who may call what, route by route, against the real platform (Postgres, NATS): the application, each
 * role of a participant of the conference, a participant of another conference, another application,
 * no token and garbage tokens. Expectations come from the contract (docs/api-contract.md), written out
 * here rather than read from the product's own operation table.
 */

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
/** The contract's "Who may call" column. */
type Who =
  | 'application'
  | 'application-or-participant'
  | 'application-or-moderator'
  | 'participant-self'
  | 'participant-update';
type Caller = 'application' | Role;

/** The resources a route is called on; `pid` is the participant of the participant routes. */
interface Ids {
  a: string;
  c: string;
  pid: string;
  sid: string;
}

interface Route {
  op: OperationId;
  method: Method;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  who: Who;
  /** The answer when the caller is allowed (for media features that do not exist yet: their honest refusal). */
  answer: number;
}

interface Member {
  id: string;
  token: string;
}

const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const conf = (i: Ids) => `/${i.a}/${i.c}`;
const part = (i: Ids) => `${conf(i)}/participants/${i.pid}`;

/** Every operation of the contract, with a valid body so that only permissions decide the answer. */
const ROUTES: Route[] = [
  {
    op: 'createConference',
    method: 'POST',
    path: (i) => `/${i.a}`,
    body: () => ({ name: 'created' }),
    who: 'application',
    answer: 200,
  },
  { op: 'getConference', method: 'GET', path: conf, who: 'application-or-participant', answer: 200 },
  { op: 'deleteConference', method: 'DELETE', path: conf, who: 'application', answer: 200 },
  {
    op: 'updateConference',
    method: 'PATCH',
    path: conf,
    body: () => ({ name: 'renamed' }),
    who: 'application-or-moderator',
    answer: 200,
  },
  {
    op: 'getRecording',
    method: 'GET',
    path: (i) => `${conf(i)}/recording`,
    who: 'application-or-moderator',
    answer: 404,
  },
  {
    op: 'getRecordingPreview',
    method: 'GET',
    path: (i) => `${conf(i)}/recording/preview`,
    who: 'application-or-moderator',
    answer: 404,
  },
  {
    op: 'startRecording',
    method: 'POST',
    path: (i) => `${conf(i)}/recording/start`,
    body: () => ({}),
    who: 'application-or-moderator',
    answer: 200,
  },
  {
    op: 'stopRecording',
    method: 'POST',
    path: (i) => `${conf(i)}/recording/stop`,
    body: () => ({}),
    who: 'application-or-moderator',
    answer: 200,
  },
  {
    op: 'getRecordingTranscription',
    method: 'GET',
    path: (i) => `${conf(i)}/recording/transcription`,
    who: 'application-or-moderator',
    // The conferences the routes are called on have been recorded (without media: nothing said).
    answer: 206,
  },
  {
    op: 'getTranscription',
    method: 'GET',
    path: (i) => `${conf(i)}/transcription`,
    who: 'application-or-participant',
    answer: 200,
  },
  {
    op: 'listUtterances',
    method: 'GET',
    path: (i) => `${conf(i)}/transcription/utterances`,
    who: 'application-or-participant',
    answer: 200,
  },
  {
    op: 'updateTranscription',
    method: 'PATCH',
    path: (i) => `${conf(i)}/transcription`,
    body: () => ({ started: true }),
    who: 'application',
    answer: 200,
  },
  {
    op: 'sendMessage',
    method: 'POST',
    path: (i) => `${conf(i)}/messages`,
    body: (i) => ({ sendTo: i.c, text: 'hello everyone' }),
    who: 'application-or-participant',
    answer: 200,
  },
  {
    op: 'listParticipants',
    method: 'GET',
    path: (i) => `${conf(i)}/participants`,
    who: 'application-or-participant',
    answer: 200,
  },
  {
    op: 'createParticipant',
    method: 'POST',
    path: (i) => `${conf(i)}/participants`,
    body: () => ({ name: 'newcomer' }),
    who: 'application',
    answer: 200,
  },
  {
    op: 'deleteParticipants',
    method: 'DELETE',
    path: (i) => `${conf(i)}/participants`,
    who: 'application',
    answer: 200,
  },
  { op: 'getParticipant', method: 'GET', path: part, who: 'application-or-participant', answer: 200 },
  {
    op: 'initiateSession',
    method: 'POST',
    path: part,
    body: () => ({ sdp: SDP }),
    who: 'participant-self',
    // No media node runs here: a valid offer is answered 503 (the SDK retries).
    answer: 503,
  },
  {
    op: 'initiateOwnSession',
    method: 'POST',
    path: conf,
    body: () => ({ sdp: SDP }),
    who: 'participant-self',
    // No media node runs here: a valid offer is answered 503 (the SDK retries).
    answer: 503,
  },
  { op: 'deleteParticipant', method: 'DELETE', path: part, who: 'application', answer: 200 },
  {
    op: 'updateParticipant',
    method: 'PATCH',
    path: part,
    // What anyone may change about itself; role and priority are tested on their own below.
    body: () => ({ name: 'renamed participant', layout: 'selector', language: 'fr' }),
    who: 'participant-update',
    answer: 200,
  },
  {
    op: 'dialParticipant',
    method: 'POST',
    path: (i) => `${part(i)}/dial`,
    body: () => ({ from: 'sip:a@127.0.0.1', to: 'sip:b@127.0.0.1' }),
    who: 'application-or-moderator',
    // Allowed, and past every check: no media node runs in this test, so nothing can bridge a call.
    answer: 503,
  },
  {
    op: 'forwardParticipant',
    method: 'POST',
    path: (i) => `${part(i)}/forward`,
    body: () => ({ destination: 'sip:c@127.0.0.1' }),
    who: 'application-or-moderator',
    answer: 409,
  },
  {
    op: 'hangupParticipant',
    method: 'POST',
    path: (i) => `${part(i)}/hangup`,
    body: () => ({}),
    who: 'application-or-moderator',
    answer: 200,
  },
  {
    op: 'listStreamings',
    method: 'GET',
    path: (i) => `${conf(i)}/streamings`,
    who: 'application',
    answer: 200,
  },
  {
    op: 'createStreaming',
    method: 'POST',
    path: (i) => `${conf(i)}/streamings`,
    body: () => ({ url: 'rtmp://127.0.0.1/live/key' }),
    who: 'application',
    answer: 200,
  },
  {
    op: 'deleteStreamings',
    method: 'DELETE',
    path: (i) => `${conf(i)}/streamings`,
    who: 'application',
    answer: 200,
  },
  {
    op: 'getStreaming',
    method: 'GET',
    path: (i) => `${conf(i)}/streamings/${i.sid}`,
    who: 'application',
    answer: 200,
  },
  {
    op: 'deleteStreaming',
    method: 'DELETE',
    path: (i) => `${conf(i)}/streamings/${i.sid}`,
    who: 'application',
    answer: 200,
  },
];

/** The routes under a conference (all but conference creation). */
const CONFERENCE_ROUTES = ROUTES.filter((route) => route.op !== 'createConference');

/**
 * What `caller` gets on `route` in its own conference. For a participant, the participant routes target
 * the caller itself (its own session, its own name/layout/language).
 */
function expectedStatus(route: Route, caller: Caller): number {
  switch (route.who) {
    case 'application':
      return caller === 'application' ? route.answer : 403;
    case 'application-or-participant':
    case 'participant-update':
      return route.answer;
    case 'application-or-moderator':
      return caller === 'application' || caller === 'moderator' ? route.answer : 403;
    case 'participant-self':
      return caller === 'application' ? 403 : route.answer;
  }
}

const withExpectation = (caller: Caller) =>
  ROUTES.map((route) => ({ ...route, expected: expectedStatus(route, caller) }));

const randomLetters = (length: number) => {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return Array.from({ length }, () => letters[randomInt(letters.length)]).join('');
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asserts the status (naming the call on failure) and, for an error, a JSON `{ error }` body. */
function expectStatus(result: HttpResult, status: number, what: string) {
  expect({ call: what, status: result.status }).toEqual({ call: what, status });
  if (status >= 400) {
    expect({ call: what, body: result.body }).toEqual({
      call: what,
      body: expect.objectContaining({ error: expect.stringMatching(/\S/) }),
    });
  }
}

describe('permissions', () => {
  let platform: Platform;
  let appA: { id: string; token: string };
  let appB: { id: string; token: string };
  let apiA: ReturnType<typeof client>;
  /** The shared conference of application A, with one participant per role and a target participant. */
  let main: { id: string; path: string; streamingId: string; target: Member; members: Record<Role, Member> };
  /** A participant of another conference of application A. */
  let outsider: Member & { conferenceId: string; streamingId: string };
  let conferenceOfB: string;
  /** A conference of an application whose conferences last 2 seconds. */
  let expiring: {
    app: { id: string; token: string };
    conference: { id: string; endingAt: number };
    participant: Member;
    streamingId: string;
    statusBeforeEnd: number;
  };

  const send = (token: string | undefined, route: Route, ids: Ids) =>
    call(platform.url, route.method, route.path(ids), { token, body: route.body?.(ids) });

  async function createConference(api: ReturnType<typeof client>, applicationId: string, name: string) {
    const created = await api.post(`/${applicationId}`, { name });
    if (created.status !== 200)
      throw new Error(`conference creation failed: ${created.status} ${created.text}`);
    return {
      id: created.body.id as string,
      path: `/${applicationId}/${created.body.id}`,
      body: created.body,
    };
  }

  async function createParticipant(api: ReturnType<typeof client>, conferencePath: string, body: object) {
    const created = await api.post(`${conferencePath}/participants`, body);
    if (created.status !== 200)
      throw new Error(`participant creation failed: ${created.status} ${created.text}`);
    return { id: created.body.id as string, token: created.body.token as string };
  }

  async function createStreaming(api: ReturnType<typeof client>, conferencePath: string) {
    const created = await api.post(`${conferencePath}/streamings`, { url: 'rtmp://127.0.0.1/live/key' });
    if (created.status !== 200)
      throw new Error(`streaming creation failed: ${created.status} ${created.text}`);
    return created.body.id as string;
  }

  /** A new conference of A with one participant and one streaming, for calls that change or destroy it. */
  async function freshIds(): Promise<Ids> {
    const conference = await createConference(apiA, appA.id, 'fresh');
    const participant = await createParticipant(apiA, conference.path, { name: 'Fresh', role: 'attendee' });
    const sid = await createStreaming(apiA, conference.path);
    await apiA.post(`${conference.path}/recording/start`, {});
    return { a: appA.id, c: conference.id, pid: participant.id, sid };
  }

  const mainIds = (pid: string = main.target.id): Ids => ({
    a: appA.id,
    c: main.id,
    pid,
    sid: main.streamingId,
  });

  beforeAll(async () => {
    platform = await Platform.start({ MIND_OUTBOUND_ALLOW: '127.0.0.1' });
    // The short-lived application first, so that its conference has ended by the time its tests run.
    const expiringApp = await platform.createApplication({
      name: 'expiring',
      maxDuration: 2,
      maxParticipants: 5,
    });
    const expiringApi = client(platform.url, expiringApp.token);
    const expiringConference = await createConference(expiringApi, expiringApp.id, 'short');
    const expiringParticipant = await createParticipant(expiringApi, expiringConference.path, {
      name: 'Short',
      role: 'moderator',
    });
    // It lives 1 to 2 seconds (endingAt is in whole seconds): check the token and add a streaming at once.
    const [expiringStreamingId, before] = await Promise.all([
      createStreaming(expiringApi, expiringConference.path),
      client(platform.url, expiringParticipant.token).get(expiringConference.path),
    ]);
    expiring = {
      app: expiringApp,
      conference: { id: expiringConference.id, endingAt: expiringConference.body.endingAt },
      participant: expiringParticipant,
      streamingId: expiringStreamingId,
      statusBeforeEnd: before.status,
    };

    [appA, appB] = await Promise.all([
      platform.createApplication({ name: 'permissions A', maxParticipants: 20 }),
      platform.createApplication({ name: 'permissions B', maxParticipants: 20 }),
    ]);
    apiA = client(platform.url, appA.token);

    const conference = await createConference(apiA, appA.id, 'main');
    const members = {} as Record<Role, Member>;
    for (const role of ROLES) {
      members[role] = await createParticipant(apiA, conference.path, { name: `the ${role}`, role });
    }
    const target = await createParticipant(apiA, conference.path, { name: 'Target', role: 'speaker' });
    const streamingId = await createStreaming(apiA, conference.path);
    await apiA.post(`${conference.path}/recording/start`, {});
    main = { id: conference.id, path: conference.path, streamingId, target, members };

    const other = await createConference(apiA, appA.id, 'other');
    outsider = {
      ...(await createParticipant(apiA, other.path, { name: 'Outsider' })),
      conferenceId: other.id,
      streamingId: await createStreaming(apiA, other.path),
    };

    conferenceOfB = (await createConference(client(platform.url, appB.token), appB.id, 'of B')).id;
  });
  afterAll(() => platform.close());

  it('the route table covers every operation of the contract', () => {
    expect(ROUTES.map((route) => route.op).sort()).toEqual([...OPERATION_IDS].sort());
    expect(OPERATION_IDS).toHaveLength(29);
  });

  describe('no token: 401', () => {
    it.each(ROUTES)('$method $op', async (route) => {
      expectStatus(await send(undefined, route, mainIds()), 401, route.op);
    });

    it('an Authorization header that is not a Bearer token counts as none', async () => {
      const result = await apiA.get(main.path, {
        token: undefined,
        headers: { authorization: `Basic ${appA.token}` },
      });
      expectStatus(result, 401, 'Basic authorization');
    });
  });

  describe('garbage token: 401', () => {
    it.each(ROUTES)('$method $op', async (route) => {
      for (const token of ['abc', randomLetters(100), `${appA.token.slice(0, 99)}_`]) {
        expectStatus(await send(token, route, mainIds()), 401, `${route.op} with ${token}`);
      }
    });
  });

  describe("token of another application on application A's URL: 401", () => {
    it.each(ROUTES)('$method $op', async (route) => {
      expectStatus(await send(appB.token, route, mainIds()), 401, route.op);
    });
  });

  describe("participant token of application A on application B's URLs: 401", () => {
    it.each(CONFERENCE_ROUTES)('$method $op', async (route) => {
      const ids = { ...mainIds(), a: appB.id };
      expectStatus(await send(main.members.moderator.token, route, ids), 401, route.op);
    });
  });

  describe("another application's token on its own URL with A's conference: 404", () => {
    it.each(CONFERENCE_ROUTES)('$method $op', async (route) => {
      const ids = { ...mainIds(), a: appB.id };
      expectStatus(await send(appB.token, route, ids), 404, route.op);
    });

    it("and A's token on A's URL with B's conference: 404", async () => {
      expectStatus(await apiA.get(`/${appA.id}/${conferenceOfB}`), 404, 'get conference of B');
      expectStatus(
        await apiA.get(`/${appA.id}/${conferenceOfB}/participants`),
        404,
        'list participants of B',
      );
    });
  });

  describe('participant of another conference of the same application: 404', () => {
    it.each(ROUTES.map((route) => ({ ...route, expected: route.op === 'createConference' ? 403 : 404 })))(
      '$method $op → $expected',
      async (route) => {
        // Conference creation is not about a conference: it is refused as an application-only route.
        expectStatus(await send(outsider.token, route, mainIds()), route.expected, route.op);
      },
    );

    it("404 even on the session route with its own participant id in the other conference's URL", async () => {
      const route = ROUTES.find((r) => r.op === 'initiateSession')!;
      expectStatus(await send(outsider.token, route, mainIds(outsider.id)), 404, 'initiateSession');
    });

    it('404 on a participant route of its own conference id but a participant of the other', async () => {
      const result = await client(platform.url, outsider.token).get(
        `/${appA.id}/${outsider.conferenceId}/participants/${main.target.id}`,
      );
      expectStatus(result, 404, 'get foreign participant');
    });
  });

  describe("participant and streaming ids of another conference in the conference's URL: 404", () => {
    const foreignIds = (): Ids => ({ a: appA.id, c: main.id, pid: outsider.id, sid: outsider.streamingId });
    // The session routes are left out: there, "not your own session" (403) is decided before existence.
    const byId = ROUTES.filter(
      (route) =>
        /participantId|streamingId/.test(OPERATIONS[route.op].path) && route.who !== 'participant-self',
    );

    it.each(byId)('application: $method $op', async (route) => {
      expectStatus(await send(appA.token, route, foreignIds()), 404, route.op);
    });

    it.each(byId.filter((route) => route.who !== 'application'))('moderator: $method $op', async (route) => {
      expectStatus(await send(main.members.moderator.token, route, foreignIds()), 404, route.op);
    });

    it('the foreign participant and streaming are untouched', async () => {
      const other = `/${appA.id}/${outsider.conferenceId}`;
      expectStatus(await apiA.get(`${other}/participants/${outsider.id}`), 200, 'participant');
      expect((await apiA.get(`${other}/participants/${outsider.id}`)).body.name).toBe('Outsider');
      expectStatus(await apiA.get(`${other}/streamings/${outsider.streamingId}`), 200, 'streaming');
    });
  });

  describe.each(ROLES)('%s of the conference (participant routes on itself)', (role) => {
    it.each(withExpectation(role))('$method $op → $expected', async (route) => {
      const member = main.members[role];
      expectStatus(await send(member.token, route, mainIds(member.id)), route.expected, route.op);
    });
  });

  describe('application (a fresh conference per call)', () => {
    it.each(withExpectation('application'))('$method $op → $expected', async (route) => {
      const ids = await freshIds();
      expectStatus(await send(appA.token, route, ids), route.expected, route.op);
    });

    it('the destructive calls did what they answered', async () => {
      const ids = await freshIds();
      const c = conf(ids);
      expectStatus(await apiA.delete(`${c}/streamings/${ids.sid}`), 200, 'delete streaming');
      expectStatus(await apiA.get(`${c}/streamings/${ids.sid}`), 404, 'get deleted streaming');
      expectStatus(await apiA.delete(`${c}/participants/${ids.pid}`), 200, 'delete participant');
      expectStatus(await apiA.get(`${c}/participants/${ids.pid}`), 404, 'get deleted participant');
      expectStatus(await apiA.delete(c), 200, 'delete conference');
      expectStatus(await apiA.get(c), 404, 'get deleted conference');
    });
  });

  describe('WebRTC session routes', () => {
    it.each(ROLES)("as %s, posting to another participant's session route gets 403", async (role) => {
      const route = ROUTES.find((r) => r.op === 'initiateSession')!;
      expectStatus(await send(main.members[role].token, route, mainIds(main.target.id)), 403, role);
    });

    it('the application gets 403 on both forms', async () => {
      expectStatus(await apiA.post(main.path, { sdp: SDP }), 403, 'POST {c}');
      expectStatus(
        await apiA.post(`${main.path}/participants/${main.target.id}`, { sdp: SDP }),
        403,
        'POST {pid}',
      );
    });
  });

  describe('PATCH participant', () => {
    let path: string;
    let people: Record<Role, Member>;
    let spare: Member;

    beforeAll(async () => {
      const conference = await createConference(apiA, appA.id, 'patching');
      path = conference.path;
      people = {} as Record<Role, Member>;
      for (const role of ROLES) people[role] = await createParticipant(apiA, path, { name: role, role });
      spare = await createParticipant(apiA, path, { name: 'Spare', role: 'attendee', priority: 1 });
    });

    const everything = {
      name: 'Changed',
      priority: 3,
      role: 'presenter',
      layout: 'presenting_selector',
      language: 'de',
    };

    it('the application may change any field of anyone', async () => {
      const result = await apiA.patch(`${path}/participants/${spare.id}`, everything);
      expectStatus(result, 200, 'application patch');
      expect(result.body).toMatchObject({ id: spare.id, ...everything });
    });

    it('a moderator may change any field of another participant and of itself', async () => {
      const asModerator = client(platform.url, people.moderator.token);
      const other = await asModerator.patch(`${path}/participants/${spare.id}`, {
        ...everything,
        role: 'speaker',
        priority: 0.5,
        language: 'ja',
      });
      expectStatus(other, 200, 'moderator patches another');
      expect(other.body).toMatchObject({ id: spare.id, role: 'speaker', priority: 0.5, language: 'ja' });
      const own = await asModerator.patch(`${path}/participants/${people.moderator.id}`, {
        priority: 7,
        name: 'Mo',
      });
      expectStatus(own, 200, 'moderator patches itself');
      expect(own.body).toMatchObject({ id: people.moderator.id, priority: 7, name: 'Mo', role: 'moderator' });
    });

    describe.each(ROLES.filter((role) => role !== 'moderator'))('as %s, a participant', (role) => {
      const self = () => `${path}/participants/${people[role].id}`;
      const as = () => client(platform.url, people[role].token);

      it('may change its own name, layout and language (200)', async () => {
        const changes = { name: `${role} renamed`, layout: 'selector', language: 'es' };
        const result = await as().patch(self(), changes);
        expectStatus(result, 200, 'own name/layout/language');
        expect(result.body).toMatchObject({ id: people[role].id, role, ...changes });
      });

      it('may send null for role and priority, which changes nothing (200)', async () => {
        const result = await as().patch(self(), { name: `${role} again`, role: null, priority: null });
        expectStatus(result, 200, 'nulls');
        expect(result.body).toMatchObject({ name: `${role} again`, role });
      });

      it('gets 403 for its own role or priority, and nothing changes', async () => {
        expectStatus(await as().patch(self(), { role: 'moderator' }), 403, 'own role');
        expectStatus(await as().patch(self(), { priority: 9 }), 403, 'own priority');
        const now = await apiA.get(self());
        expect(now.body).toMatchObject({ role, priority: 1 });
      });

      it('gets 403 for anything about another participant', async () => {
        const other = `${path}/participants/${people.moderator.id}`;
        expectStatus(await as().patch(other, { name: 'hijacked' }), 403, 'other name');
        expectStatus(await as().patch(other, { layout: 'mosaic' }), 403, 'other layout');
        expectStatus(await as().patch(other, { language: 'it' }), 403, 'other language');
        expectStatus(await as().patch(other, { role: 'attendee' }), 403, 'other role');
        expectStatus(
          await as().patch(`${path}/participants/${spare.id}`, { priority: 2 }),
          403,
          'other priority',
        );
        const unchanged = (await apiA.get(other)).body;
        expect(unchanged.role).toBe('moderator');
        expect(unchanged.name).not.toBe('hijacked');
      });
    });
  });

  describe('reading the conference and its participants', () => {
    it.each(ROLES)(
      'as %s, the caller is participants[0] of ?detailed=true, and sees no streamings',
      async (role) => {
        const result = await client(platform.url, main.members[role].token).get(`${main.path}?detailed=true`);
        expectStatus(result, 200, 'detailed');
        expect(result.body.id).toBe(main.id);
        expect(result.body.participants[0].id).toBe(main.members[role].id);
        expect(result.body.participants).toHaveLength(ROLES.length + 1);
        expect(result.body.transcription).toEqual({ started: expect.any(Boolean) });
        expect(result.body).not.toHaveProperty('streamings');
      },
    );

    it.each(ROLES)('as %s, the caller comes first in the participant list', async (role) => {
      const result = await client(platform.url, main.members[role].token).get(`${main.path}/participants`);
      expectStatus(result, 200, 'list');
      expect(result.body[0].id).toBe(main.members[role].id);
      expect(result.body).toHaveLength(ROLES.length + 1);
    });

    it('the application gets participants in joining order and the streamings', async () => {
      const result = await apiA.get(`${main.path}?detailed=true`);
      expectStatus(result, 200, 'detailed');
      expect(result.body.participants.map((p: Member) => p.id)).toEqual([
        ...ROLES.map((role) => main.members[role].id),
        main.target.id,
      ]);
      expect(result.body.streamings).toEqual([expect.objectContaining({ id: main.streamingId })]);
    });

    it('without detailed=true there are no participants nor streamings', async () => {
      for (const token of [appA.token, main.members.attendee.token]) {
        const result = await client(platform.url, token).get(main.path);
        expectStatus(result, 200, 'not detailed');
        expect(result.body).not.toHaveProperty('participants');
        expect(result.body).not.toHaveProperty('streamings');
      }
    });
  });

  describe("the application's participant limit", () => {
    it('POST participants over the limit gets 403, and works again once a place is free', async () => {
      const small = await platform.createApplication({ name: 'small', maxParticipants: 2 });
      const api = client(platform.url, small.token);
      const conference = await createConference(api, small.id, 'small');
      const first = await createParticipant(api, conference.path, { name: 'One' });
      await createParticipant(api, conference.path, { name: 'Two' });
      expectStatus(await api.post(`${conference.path}/participants`, { name: 'Three' }), 403, 'third');
      expectStatus(await api.get(`${conference.path}/participants`), 200, 'list');
      expect((await api.get(`${conference.path}/participants`)).body).toHaveLength(2);
      expectStatus(await api.delete(`${conference.path}/participants/${first.id}`), 200, 'delete one');
      expectStatus(await api.post(`${conference.path}/participants`, { name: 'Three' }), 200, 'third again');
    });
  });

  describe('tokens of deleted participants and conferences', () => {
    it('after DELETE participant its token gets 401, the others still work', async () => {
      const conference = await createConference(apiA, appA.id, 'expel one');
      const gone = await createParticipant(apiA, conference.path, { name: 'Gone', role: 'moderator' });
      const stays = await createParticipant(apiA, conference.path, { name: 'Stays' });
      expectStatus(await client(platform.url, gone.token).get(conference.path), 200, 'before');
      expectStatus(await apiA.delete(`${conference.path}/participants/${gone.id}`), 200, 'delete');
      const asGone = client(platform.url, gone.token);
      expectStatus(await asGone.get(conference.path), 401, 'get conference');
      expectStatus(await asGone.get(`${conference.path}/participants`), 401, 'list participants');
      expectStatus(await asGone.patch(conference.path, { name: 'still here?' }), 401, 'patch conference');
      expectStatus(await client(platform.url, stays.token).get(conference.path), 200, 'other participant');
    });

    it('after DELETE all participants their tokens get 401', async () => {
      const conference = await createConference(apiA, appA.id, 'expel all');
      const one = await createParticipant(apiA, conference.path, { name: 'One' });
      const two = await createParticipant(apiA, conference.path, { name: 'Two', role: 'moderator' });
      expectStatus(await apiA.delete(`${conference.path}/participants`), 200, 'delete all');
      for (const member of [one, two]) {
        expectStatus(await client(platform.url, member.token).get(conference.path), 401, 'get conference');
      }
      expectStatus(await apiA.get(`${conference.path}/participants`), 200, 'application still reads');
    });

    it('after DELETE conference participant tokens get 401 and the application gets 404', async () => {
      const conference = await createConference(apiA, appA.id, 'deleted');
      const moderator = await createParticipant(apiA, conference.path, { name: 'Mod', role: 'moderator' });
      const attendee = await createParticipant(apiA, conference.path, { name: 'Att', role: 'attendee' });
      expectStatus(await apiA.delete(conference.path), 200, 'delete conference');
      for (const member of [moderator, attendee]) {
        const as = client(platform.url, member.token);
        expectStatus(await as.get(conference.path), 401, 'participant get conference');
        expectStatus(
          await as.get(`${conference.path}/participants/${member.id}`),
          401,
          'participant get itself',
        );
      }
      expectStatus(await apiA.get(conference.path), 404, 'application get conference');
      expectStatus(await apiA.get(`${conference.path}/participants`), 404, 'application list participants');
      expectStatus(await apiA.delete(conference.path), 404, 'application delete again');
    });
  });

  describe('a conference that ended by expiry', () => {
    /** What the application gets on the ended conference: reads as usual, changes 409. */
    const AFTER_END: Partial<Record<OperationId, number>> = {
      getConference: 200,
      getRecording: 404,
      getRecordingPreview: 404,
      getRecordingTranscription: 404,
      getTranscription: 200,
      listUtterances: 200,
      listParticipants: 200,
      getParticipant: 200,
      listStreamings: 200,
      getStreaming: 200,
      updateConference: 409,
      startRecording: 409,
      stopRecording: 409,
      updateTranscription: 409,
      sendMessage: 409,
      createParticipant: 409,
      deleteParticipants: 409,
      deleteParticipant: 409,
      updateParticipant: 409,
      dialParticipant: 409,
      forwardParticipant: 409,
      hangupParticipant: 409,
      createStreaming: 409,
      deleteStreamings: 409,
      deleteStreaming: 409,
      // Not listed: createConference (not about this conference), deleteConference (below) and the two
      // session routes, which the application may never call whatever the conference's state.
    };
    let ids: Ids;

    beforeAll(async () => {
      ids = {
        a: expiring.app.id,
        c: expiring.conference.id,
        pid: expiring.participant.id,
        sid: expiring.streamingId,
      };
      // The platform sweeps every second in tests: well past endingAt, the conference has ended.
      await sleep(Math.max(0, expiring.conference.endingAt * 1000 + 1500 - Date.now()));
    });

    it('the conference lasted what the application allows', () => {
      expect(expiring.statusBeforeEnd).toBe(200);
    });

    it('participant tokens get 401 on every route', async () => {
      for (const route of ROUTES) {
        expectStatus(await send(expiring.participant.token, route, ids), 401, route.op);
      }
    });

    it.each(
      ROUTES.filter((route) => AFTER_END[route.op] !== undefined).map((route) => ({
        ...route,
        expected: AFTER_END[route.op]!,
      })),
    )('application: $method $op → $expected', async (route) => {
      expectStatus(await send(expiring.app.token, route, ids), route.expected, route.op);
    });

    it('the application still reads what it had, and may delete it', async () => {
      const api = client(platform.url, expiring.app.token);
      const detailed = await api.get(`${conf(ids)}?detailed=true`);
      expectStatus(detailed, 200, 'detailed');
      expect(detailed.body.participants.map((p: Member) => p.id)).toEqual([ids.pid]);
      expect(detailed.body.streamings.map((s: { id: string }) => s.id)).toEqual([ids.sid]);
      expectStatus(await api.delete(conf(ids)), 200, 'delete ended conference');
      expectStatus(await api.get(conf(ids)), 404, 'get deleted conference');
    });
  });
});
