import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hashToken } from '@mind/auth';
import type { ApiCommand, TraceId } from '@mind/contracts';
import type { CallContext } from '../api/context';
import { ConferenceGoneError, ConferenceTransactions } from '../events/conference-transactions';
import type { OutboxRelay } from '../events/outbox-relay';
import { MessageService } from '../messages/message.service';
import type { Config } from '@mind/config';
import { createLogger } from '@mind/logging';
import { DatabaseChanges } from './database-changes';
import { createDataSource, ensureDatabase } from './data-source';
import type { ConferenceEntity } from './entities';
import { HotReads } from './hot-reads';
import { migrate } from './migrate';
import { PreparedStatements } from './prepared-statements';
import { eventually } from '../testing/eventually';

/**
 * The hand-written SQL of the hot path (the call scope read, the one-statement message post), against
 * the machine's PostgreSQL in a database of its own.
 */
const DATABASE_URL = process.env.UNIT_DATABASE_URL ?? 'postgres://mind:mind@127.0.0.1:5432/mind_unit';

let dataSource: DataSource;
let changes: DatabaseChanges;
let reads: HotReads;
let messages: MessageService;
let kicks = 0;

const app = randomUUID();
const otherApp = randomUUID();
const conference = randomUUID();
const otherConference = randomUUID();
const ended = randomUUID();
const ann = { id: randomUUID(), token: 'ann-token' };
const bob = { id: randomUUID(), token: 'bob-token' };
const eve = { id: randomUUID(), token: 'eve-token' };
const digestOf = (token: string) => hashToken(token);

beforeAll(async () => {
  await ensureDatabase(DATABASE_URL);
  dataSource = createDataSource(DATABASE_URL);
  await dataSource.initialize();
  await migrate(dataSource);
  const statements = new PreparedStatements(dataSource);
  changes = new DatabaseChanges({ databaseUrl: DATABASE_URL } as Config, createLogger('spec', 'silent'));
  reads = new HotReads(statements, changes);
  await changes.onModuleInit();
  const relay = { kick: () => kicks++ } as unknown as OutboxRelay;
  messages = new MessageService(new ConferenceTransactions(dataSource, relay, statements, reads), dataSource);

  for (const id of [app, otherApp]) {
    await dataSource.query(
      `INSERT INTO application (id, token_hash, max_participants, max_duration_seconds) VALUES ($1, $2, 10, 3600)`,
      [id, randomBytes(32)],
    );
  }
  const addConference = (id: string, application: string, endedAt: Date | null) =>
    dataSource.query(
      `INSERT INTO conference (id, application_id, name, layout, ending_at, ended_at)
       VALUES ($1, $2, 'hot', 'mosaic', now() + interval '1 hour', $3)`,
      [id, application, endedAt],
    );
  await addConference(conference, app, null);
  await addConference(otherConference, app, null);
  await addConference(ended, app, new Date());
  const addParticipant = (p: { id: string; token: string }, conferenceId: string, role: string) =>
    dataSource.query(
      `INSERT INTO participant (id, conference_id, token_hash, name, priority, role, layout, language)
       VALUES ($1, $2, $3, 'p', 1, $4, 'mosaic', 'en')`,
      [p.id, conferenceId, digestOf(p.token), role],
    );
  await addParticipant(ann, conference, 'moderator');
  await addParticipant(bob, otherConference, 'speaker');
  await addParticipant(eve, ended, 'speaker');
});

afterAll(async () => {
  await dataSource.query(`DELETE FROM outbox WHERE conference_id IN ($1, $2, $3)`, [
    conference,
    otherConference,
    ended,
  ]);
  await dataSource.query(`DELETE FROM application WHERE id IN ($1, $2)`, [app, otherApp]);
  await changes.onModuleDestroy();
  await dataSource.destroy();
});

describe('HotReads.scope', () => {
  it('reads the conference in the entity shape, with the participant the path names', async () => {
    const scope = await reads.scope(conference, app, ann.id, null);
    expect(scope?.conference).toMatchObject({
      id: conference,
      applicationId: app,
      layout: 'mosaic',
      recordingStarted: false,
      endedAt: null,
      mediaNodeId: null,
      recordingSegmentsReady: 0,
    });
    expect(scope?.conference.endingAt).toBeInstanceOf(Date);
    expect(scope?.participant).toMatchObject({ id: ann.id, conferenceId: conference, role: 'moderator' });
    expect(scope?.holder).toBeNull();
    // Nothing of the joined rows leaks into the conference.
    expect(Object.keys(scope!.conference).some((key) => key.includes('.'))).toBe(false);
  });

  it("is null for another application's conference; no participant for another conference's", async () => {
    expect(await reads.scope(conference, otherApp, null, null)).toBeNull();
    expect((await reads.scope(conference, app, bob.id, null))?.participant).toBeNull();
    expect((await reads.scope(conference, app, null, null))?.participant).toBeNull();
  });

  it("finds the token's holder only among the conference's participants", async () => {
    const own = await reads.scope(conference, app, null, digestOf(ann.token));
    expect(own?.holder).toEqual({ participantId: ann.id, role: 'moderator' });
    expect((await reads.scope(conference, app, null, digestOf(bob.token)))?.holder).toBeNull();
  });

  it('knows no token holder of an ended conference', async () => {
    expect(await reads.tokenHolder(digestOf(bob.token))).toEqual({
      participantId: bob.id,
      role: 'speaker',
      conferenceId: otherConference,
      applicationId: app,
    });
    expect(await reads.tokenHolder(digestOf(eve.token))).toBeNull();
  });
});

describe('HotReads.sharedScope', () => {
  const shared = (participantId: string | null) => reads.sharedScope(conference, app, participantId, null);

  it('keeps a scope, frozen, until a change to its conference or participants commits, whoever made it', async () => {
    const first = await shared(ann.id);
    expect(await shared(ann.id)).toBe(first);
    expect(Object.isFrozen(first!.conference) && Object.isFrozen(first!.participant)).toBe(true);
    // Written on a connection of its own, as another instance or an operator would.
    await dataSource.query(`UPDATE participant SET name = 'renamed' WHERE id = $1`, [ann.id]);
    await eventually(async () => (await shared(ann.id))?.participant?.name === 'renamed');
    await dataSource.query(`UPDATE conference SET name = 'hotter' WHERE id = $1`, [conference]);
    await eventually(async () => (await shared(ann.id))?.conference.name === 'hotter');
    // Another conference's change leaves this one's scope kept.
    const kept = await shared(ann.id);
    await dataSource.query(`UPDATE conference SET name = 'other' WHERE id = $1`, [otherConference]);
    await eventually(
      async () => (await reads.sharedScope(otherConference, app, null, null))?.conference.name === 'other',
    );
    expect(await shared(ann.id)).toBe(kept);
  });

  it('sees a participant created after the call that did not find it, and its deletion', async () => {
    const later = { id: randomUUID(), token: 'later-token' };
    expect((await shared(later.id))?.participant).toBeNull();
    await dataSource.query(
      `INSERT INTO participant (id, conference_id, token_hash, name, priority, role, layout, language)
       VALUES ($1, $2, $3, 'p', 1, 'speaker', 'mosaic', 'en')`,
      [later.id, conference, digestOf(later.token)],
    );
    await eventually(async () => (await shared(later.id))?.participant?.id === later.id);
    await dataSource.query(`DELETE FROM participant WHERE id = $1`, [later.id]);
    await eventually(async () => (await shared(later.id))?.participant === null);
  });

  it('keeps nothing from losing its listening connection until it listens again, and forgets what changed meanwhile', async () => {
    const kept = await shared(ann.id);
    expect(await shared(ann.id)).toBe(kept);
    // As a restart of PostgreSQL or a dropped connection would: the listening backend goes.
    await dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query = 'LISTEN scope_changed'`,
    );
    await eventually(async () => !changes.listening);
    await dataSource.query(`UPDATE participant SET name = 'unheard' WHERE id = $1`, [ann.id]);
    const read = await shared(ann.id);
    expect(read?.participant?.name).toBe('unheard');
    expect(await shared(ann.id)).not.toBe(read);
    await eventually(async () => changes.listening);
    const again = await shared(ann.id);
    expect(again?.participant?.name).toBe('unheard');
    expect(await shared(ann.id)).toBe(again);
  });

  it('keeps nothing while it cannot hear of changes', async () => {
    const deaf = new DatabaseChanges({ databaseUrl: DATABASE_URL } as Config, createLogger('spec', 'silent'));
    const unlistened = new HotReads(new PreparedStatements(dataSource), deaf);
    const first = await unlistened.sharedScope(conference, app, ann.id, null);
    expect(first?.participant?.id).toBe(ann.id);
    expect(await unlistened.sharedScope(conference, app, ann.id, null)).not.toBe(first);
  });
});

describe('MessageService.send (one statement)', () => {
  const contextOf = async (conferenceId: string, sendTo: string): Promise<CallContext> => {
    const scope = await reads.scope(conferenceId, app, null, null);
    const command: ApiCommand = {
      operation: 'sendMessage',
      tokenDigest: '',
      params: { applicationId: app, conferenceId },
      query: {},
      body: { sendTo, text: 'hello' },
      traceId: '0af7651916cd43dd8448eb211c80319c' as TraceId,
    };
    return {
      command,
      principal: { kind: 'application', applicationId: app },
      actor: { kind: 'application', id: app },
      conference: scope?.conference ?? ({ id: conferenceId, applicationId: app } as ConferenceEntity),
      participant: null,
    };
  };
  const outboxOf = async (conferenceId: string) =>
    (
      await dataSource.query(`SELECT payload FROM outbox WHERE conference_id = $1 ORDER BY seq`, [
        conferenceId,
      ])
    ).map((row: { payload: unknown }) => row.payload);

  it('stores the message and its event together, and wakes the relay', async () => {
    const before = kicks;
    const reply = await messages.send(await contextOf(conference, ann.id.toUpperCase()));
    expect(reply.status).toBe(200);
    const body = reply.body as { id: string; sentTo: string; sentBy: string };
    expect(body).toMatchObject({ sentTo: ann.id, sentBy: app, text: 'hello' });
    const [stored] = await dataSource.query(`SELECT sent_to, text FROM message WHERE id = $1`, [body.id]);
    expect(stored).toEqual({ sent_to: ann.id, text: 'hello' });
    const events = await outboxOf(conference);
    expect(events.at(-1)).toMatchObject({ kind: 'message', conferenceId: conference, message: body });
    expect(kicks).toBe(before + 1);
  });

  it('takes the conference and the application as addressees', async () => {
    expect((await messages.send(await contextOf(conference, conference))).status).toBe(200);
    expect((await messages.send(await contextOf(conference, app))).status).toBe(200);
  });

  it("refuses another conference's participant, and stores nothing", async () => {
    const before = (await outboxOf(conference)).length;
    const reply = await messages.send(await contextOf(conference, bob.id));
    expect(reply).toMatchObject({ status: 400, body: { field: 'sendTo' } });
    expect(await outboxOf(conference)).toHaveLength(before);
  });

  it('tells a conference that ended meanwhile apart, for a 409', async () => {
    expect(await messages.send(await contextOf(ended, ended))).toMatchObject({ status: 409 });
  });

  it('tells a conference deleted meanwhile apart, for a 404', async () => {
    const gone = randomUUID();
    await expect(messages.send(await contextOf(gone, gone))).rejects.toBeInstanceOf(ConferenceGoneError);
  });
});

describe('MessageService.sendAs (the caller checked in the same statement)', () => {
  const commandOf = (conferenceId: string, token: string): ApiCommand => ({
    operation: 'sendMessage',
    tokenDigest: digestOf(token).toString('hex'),
    params: { applicationId: app, conferenceId },
    query: {},
    body: { sendTo: conferenceId, text: 'hi' },
    traceId: '0af7651916cd43dd8448eb211c80319c' as TraceId,
  });
  const sendAs = (
    conferenceId: string,
    who: { id: string; token: string },
    role: 'moderator' | 'speaker',
    applicationId = app,
  ) =>
    messages.sendAs(
      commandOf(conferenceId, who.token),
      { kind: 'participant', participantId: who.id, role, conferenceId, applicationId },
      { conferenceId, applicationId, actor: { kind: 'participant', id: who.id }, traceId: '' as TraceId },
    );

  it('sends as a participant who still holds its token and role', async () => {
    const reply = await sendAs(conference, ann, 'moderator');
    expect(reply).toMatchObject({ status: 200, body: { sentBy: ann.id, sentTo: conference, text: 'hi' } });
  });

  it('stores nothing for a caller whose role changed, a token not its own, an ended or foreign conference', async () => {
    const count = async () => Number((await dataSource.query(`SELECT count(*) AS n FROM message`))[0].n);
    const before = await count();
    expect(await sendAs(conference, ann, 'speaker')).toBeNull();
    expect(await sendAs(conference, { id: ann.id, token: 'bob-token' }, 'moderator')).toBeNull();
    expect(await sendAs(conference, ann, 'moderator', otherApp)).toBeNull();
    expect(await sendAs(ended, eve, 'speaker')).toBeNull();
    expect(await count()).toBe(before);
  });

  it('checks each of the sends that arrive together on its own, and appends their events in their order', async () => {
    const kicksBefore = kicks;
    const [{ seq: seqBefore }] = await dataSource.query(`SELECT coalesce(max(seq), 0) AS seq FROM outbox`);
    const impostor = { id: ann.id, token: 'bob-token' };
    // The first goes at once, alone; the others arrive while it is written and go together after it.
    const replies = await Promise.all([
      sendAs(conference, ann, 'moderator'),
      sendAs(conference, ann, 'moderator'),
      sendAs(conference, ann, 'speaker'),
      sendAs(conference, ann, 'moderator'),
      sendAs(conference, impostor, 'moderator'),
      sendAs(conference, ann, 'moderator'),
    ]);
    expect(replies.map((reply) => reply?.status ?? null)).toEqual([200, 200, null, 200, null, 200]);
    expect(kicks).toBe(kicksBefore + 2);
    const events = await dataSource.query(
      `SELECT payload FROM outbox WHERE conference_id = $1 AND seq > $2 ORDER BY seq`,
      [conference, seqBefore],
    );
    const sentIds = replies.flatMap((reply) => (reply ? [(reply.body as { id: string }).id] : []));
    expect(events.map((row: { payload: { message: { id: string } } }) => row.payload.message.id)).toEqual(
      sentIds,
    );
    const stored = await dataSource.query(`SELECT id FROM message WHERE id = ANY($1::uuid[])`, [sentIds]);
    expect(stored).toHaveLength(4);
  });
});
