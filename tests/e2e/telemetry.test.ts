import { randomBytes } from 'node:crypto';
import { call, client, OtlpReceiver, useMediaTestbed, waitFor, type ReceivedSpan } from './harness';

const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

/** The span's ancestors within its trace, nearest first. */
function ancestors(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId)) chain.push(at);
  return chain;
}

/** The one span of a trace made by `service` with `name`. */
function spanOf(trace: ReceivedSpan[], service: string, name: string): ReceivedSpan {
  const found = trace.filter((span) => span.service === `mind-${service}` && span.name === name);
  expect({ service, name, count: found.length }).toEqual({ service, name, count: 1 });
  return found[0]!;
}

const isChildOf = (span: ReceivedSpan, parent: ReceivedSpan) => span.parentSpanId === parent.spanId;

describe('telemetry: one trace per call across the services, metrics for Prometheus and OTLP', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterAll(() => receiver?.close());
  const testbed = useMediaTestbed(() => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
    LOG_LEVEL: 'info',
  }));

  it('a message posted is one trace: gateway, conference service, database, notifier', async () => {
    const { platform, app } = testbed;
    const { id: conferenceId, socket } = await testbed.conference('traced');
    const base = `/${app.id}/${conferenceId}`;
    const ann = (await client(platform.url, app.token).post(`${base}/participants`, { name: 'Ann' })).body;
    const traceId = randomBytes(16).toString('hex');
    const sent = await call(platform.url, 'POST', `${base}/messages`, {
      token: ann.token,
      body: { sendTo: app.id, text: 'traced' },
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(sent.status).toBe(200);
    await socket.next((n) => n.location.startsWith('/messages/'));

    const trace = await waitFor(
      async () => receiver.trace(traceId),
      (spans) => spans.some((span) => span.service === 'mind-notifier'),
    );
    const request = trace.find((span) => span.service === 'mind-gateway' && span.kind === SERVER)!;
    expect(request.attributes['http.method'] ?? request.attributes['http.request.method']).toBe('POST');
    const forwarded = spanOf(trace, 'gateway', 'api.{key} call');
    expect(forwarded.kind).toBe(CLIENT);
    expect(ancestors(forwarded, trace)).toContain(request);
    const handled = spanOf(trace, 'conference', 'api.{key} serve');
    expect(handled.kind).toBe(SERVER);
    expect(isChildOf(handled, forwarded)).toBe(true);
    expect(handled.attributes['mind.reply.status']).toBe('200');
    // The message's insert and its outbox row, inside the call.
    const queries = trace.filter(
      (span) => span.service === 'mind-conference' && span.attributes['db.system.name'] === 'postgresql',
    );
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) expect(ancestors(query, trace)).toContain(handled);
    // The event, relayed after the transaction, is delivered in the same trace.
    const delivered = spanOf(trace, 'notifier', 'events.{key} follow');
    expect(delivered.kind).toBe(CONSUMER);
    expect(isChildOf(delivered, handled)).toBe(true);
    // Logs carry the same trace id.
    expect(platform.logsOf('conference')).toContain(`"traceId":"${traceId}"`);
  });

  it('a join is one trace: the offer reaches the media node, whose presence report comes back', async () => {
    const { platform } = testbed;
    const { id: conferenceId } = await testbed.conference('joined');
    await testbed.join(conferenceId, 'Bob', true);

    const offered = await waitFor(
      async () =>
        receiver.spans.filter(
          (span) => span.service === 'mind-media' && span.name === 'media.{key}.session serve',
        ),
      (spans) => spans.length > 0,
    );
    const trace = await waitFor(
      async () => receiver.trace(offered[0]!.traceId),
      (spans) =>
        spans.some((span) => span.service === 'mind-conference' && span.name === 'media.presence serve'),
    );
    const request = trace.find((span) => span.service === 'mind-gateway' && span.kind === SERVER)!;
    expect(request).toBeDefined();
    const routed = spanOf(trace, 'conference', 'media.{key}.session call');
    expect(ancestors(routed, trace)).toContain(spanOf(trace, 'conference', 'api.{key} serve'));
    const answered = spanOf(trace, 'media', 'media.{key}.session serve');
    expect(isChildOf(answered, routed)).toBe(true);
    const applied = spanOf(trace, 'media', 'media offer apply');
    expect(isChildOf(applied, answered)).toBe(true);
    expect(applied.attributes['mind.offer.lines']).toBeGreaterThan(0);
    const reported = trace.find(
      (span) => span.service === 'mind-media' && span.name === 'media.presence call',
    )!;
    expect(ancestors(reported, trace)).toContain(answered);
    const committed = trace.find(
      (span) => span.service === 'mind-conference' && span.name === 'media.presence serve',
    )!;
    expect(isChildOf(committed, reported)).toBe(true);
    expect(platform.logsOf('media')).toContain(`"traceId":"${offered[0]!.traceId}"`);
  });

  it('every service serves its metrics for Prometheus, and pushes them over OTLP', async () => {
    const { platform } = testbed;
    const scrape = async (url: string) => {
      const answer = await fetch(`${url}/metrics`);
      expect(answer.status).toBe(200);
      return answer.text();
    };
    const gateway = await scrape(`http://127.0.0.1:${platform.env.MIND_GATEWAY_METRICS_PORT}`);
    expect(gateway).toMatch(/^http_server_request_duration_count\{[^}]*http_request_method="POST"/m);
    expect(gateway).toMatch(/^mind_rpc_client_duration_count\{[^}]*subject="api\.\{key\}"/m);
    // Not on the public port.
    expect((await fetch(`${platform.url}/metrics`)).status).toBe(404);

    const conference = await scrape(platform.healthUrl('conference'));
    expect(conference).toMatch(/^mind_rpc_server_duration_count\{[^}]*subject="api\.\{key\}"/m);
    expect(conference).toMatch(/^mind_conferences\{[^}]*\} [1-9]/m);
    expect(conference).toMatch(/^mind_participants_online\{[^}]*\} [1-9]/m);
    expect(conference).toMatch(/^mind_recording_queue_depth\{[^}]*state="waiting"/m);

    const media = await scrape(platform.healthUrl('media'));
    expect(media).toMatch(/^mind_media_sessions\{[^}]*\} [1-9]/m);
    expect(media).toMatch(/^mind_media_producers\{[^}]*kind="audio"[^}]*\} [1-9]/m);
    expect(media).toMatch(/^mind_media_consumers\{/m);

    await scrape(platform.healthUrl('notifier'));
    await waitFor(
      async () => receiver.exports.filter((e) => e.path === '/v1/metrics').length,
      (count) => count > 0,
    );
  });

  it('exports over http/protobuf too', async () => {
    const { platform, app } = testbed;
    await platform.stopService('gateway');
    await platform.startService('gateway', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    const traceId = randomBytes(16).toString('hex');
    const answer = await call(
      platform.url,
      'GET',
      `/${app.id}/${(await testbed.conference('protobuf')).id}`,
      {
        token: app.token,
        headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      },
    );
    expect(answer.status).toBe(200);
    // Trace ids are bytes in protobuf: the export holds the trace's 16 bytes.
    const id = Buffer.from(traceId, 'hex');
    await waitFor(
      async () =>
        receiver.exports.some(
          (e) => e.path === '/v1/traces' && e.contentType === 'application/x-protobuf' && e.body.includes(id),
        ),
      (found) => found,
    );
  });
});
