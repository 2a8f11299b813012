import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  OPERATION_IDS,
  OPERATIONS,
  requestSchemas,
  type OperationId,
  type OperationSpec,
} from '@mind/contracts';
import { call, client, Platform } from './harness';

const FIXTURES = join(__dirname, '../../libs/sdp/fixtures');
/** Real offers: Chromium and Firefox, and the Mind SDK's own. */
const OFFERS = [
  'chromium-datachannel-only.sdp',
  'chromium-full-camera-mic.sdp',
  'firefox-full-camera-mic.sdp',
  'chromium-ssrc-sim.sdp',
  'mind-sdk-5.18/a-join-publish/04-publish-offer.sdp',
  'mind-sdk-5.18/b-join-publish-vp9/04-publish-offer.sdp',
].map((name) => readFileSync(join(FIXTURES, name), 'utf8'));

const specOf = (operation: OperationId): OperationSpec => OPERATIONS[operation];
/** Operations that take a JSON body (the session offer is fuzzed with SDP of its own below). */
const WITH_BODY = OPERATION_IDS.filter(
  (id) => specOf(id).body && id !== 'initiateSession' && id !== 'initiateOwnSession',
);

/**
 * Property-based fuzzing (fast-check) of every route's JSON body and of SDP offers: whatever comes in,
 * the answer is never a 5xx, and the services stay healthy. The statuses seen are printed.
 */
describe('fuzz: no input is answered with a 5xx', () => {
  let platform: Platform;
  let app: { id: string; token: string };
  let ids: Record<string, string>;
  let participantToken: string;
  const statuses = new Map<string, number>();
  const count = (kind: string, status: number) =>
    statuses.set(`${kind} ${status}`, (statuses.get(`${kind} ${status}`) ?? 0) + 1);

  beforeAll(async () => {
    platform = await Platform.start({}, { media: true });
    app = await platform.createApplication({ name: 'fuzz', maxParticipants: 1000 });
    const api = client(platform.url, app.token);
    const conference = (await api.post(`/${app.id}`, { name: 'fuzz' })).body;
    const participant = (
      await api.post(`/${app.id}/${conference.id}/participants`, { name: 'Fuzz', role: 'moderator' })
    ).body;
    participantToken = participant.token;
    ids = {
      applicationId: app.id,
      conferenceId: conference.id,
      participantId: participant.id,
      streamingId: '00000000-0000-4000-8000-000000000000',
    };
  });
  afterAll(async () => {
    console.log(
      `fuzz statuses: ${[...statuses]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, n]) => `${key}: ${n}`)
        .join(', ')}`,
    );
    await platform.close();
  });

  const pathOf = (operation: OperationId) =>
    specOf(operation).path.replace(/:(\w+)/g, (_match, name: string) => ids[name]);

  /** Any JSON, and objects whose keys are the route's own fields (so that values reach validation). */
  const bodies = (operation: OperationId) => {
    const schema = requestSchemas[specOf(operation).body!] as { properties?: Record<string, unknown> };
    const fields = Object.keys(schema.properties ?? {});
    const keyed = (values: fc.Arbitrary<unknown>) =>
      fc.dictionary(fc.constantFrom(...fields, 'unknown'), values);
    return fc.oneof(
      fc.jsonValue({ maxDepth: 40 }),
      keyed(fc.jsonValue({ maxDepth: 4 })),
      keyed(fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.boolean(), fc.constant(null))),
    );
  };

  it.each(WITH_BODY)('%s: any JSON body', async (operation) => {
    const { method } = specOf(operation);
    await fc.assert(
      fc.asyncProperty(bodies(operation), fc.boolean(), async (body, asParticipant) => {
        const answer = await call(platform.url, method, pathOf(operation), {
          token: asParticipant ? participantToken : app.token,
          body,
        });
        count('json', answer.status);
        return answer.status < 500;
      }),
      { numRuns: 30 },
    );
  });

  it('any bytes as a body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...WITH_BODY),
        fc.uint8Array({ maxLength: 2000 }),
        async (operation, bytes) => {
          const answer = await call(platform.url, specOf(operation).method, pathOf(operation), {
            token: app.token,
            rawBody: Buffer.from(bytes),
          });
          count('bytes', answer.status);
          return answer.status < 500;
        },
      ),
      { numRuns: 100 },
    );
  });

  /** Real offers, cut, repeated, rewritten: lines dropped or doubled, numbers changed, junk put in. */
  const mutatedOffer = fc
    .tuple(
      fc.constantFrom(...OFFERS),
      fc.array(
        fc.tuple(
          fc.constantFrom('drop', 'double', 'number', 'junk', 'cut'),
          fc.nat(),
          fc.oneof(fc.integer({ min: -1, max: 2 ** 33 }), fc.constant(0)),
          fc.string({ unit: 'binary', maxLength: 60 }),
        ),
        { minLength: 1, maxLength: 6 },
      ),
    )
    .map(([offer, mutations]) => {
      let lines = offer.split('\r\n');
      for (const [kind, at, number, junk] of mutations) {
        if (lines.length === 0) break;
        const index = at % lines.length;
        if (kind === 'drop') lines.splice(index, 1);
        else if (kind === 'double') lines.splice(index, 0, lines[index]);
        else if (kind === 'number') lines[index] = lines[index].replace(/\d+/, String(number));
        else if (kind === 'junk') lines.splice(index, 0, junk);
        else lines = lines.slice(0, index + 1);
      }
      return lines.join('\r\n');
    });

  it('any SDP offer', async () => {
    const c = pathOf('initiateSession');
    await fc.assert(
      fc.asyncProperty(mutatedOffer, async (sdp) => {
        const answer = await client(platform.url, participantToken).post(c, { sdp });
        count('sdp', answer.status);
        return answer.status < 500;
      }),
      { numRuns: 300 },
    );
    // The media node and the services still work: they are ready, and a real offer is answered.
    for (const service of ['gateway', 'conference', 'media'] as const) {
      expect((await fetch(`${platform.healthUrl(service)}/readyz`)).status).toBe(200);
    }
    expect((await client(platform.url, participantToken).post(c, { sdp: OFFERS[0] })).status).toBe(200);
  });
});
