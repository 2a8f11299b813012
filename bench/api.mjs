// Benchmark of the public API next to a bare Fastify server, measured in the same run on the same machine.
//
//   npm run bench:api                         # starts its own platform from dist/ (run `npm run build` first)
//   BENCH_DURATION=3 npm run bench:api        # quick check
//   BENCH_URL=http://127.0.0.1:8080 npm run bench:api   # benchmark a running gateway instead
//
// Targets: GET /{a}/{c}/participants/{p} (application token) and POST /{a}/{c}/messages (participant
// token), through the gateway and served by the conference service itself (MIND_CONFERENCE_API_PORT),
// each next to the same request against a bare Fastify route and a Fastify route that does the least
// Postgres work the request needs (the GET reads the same two rows, the POST inserts the message),
// with the same autocannon settings.
// See bench/README.md for the variables and for what the figures mean.

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { cpuShares, cpuSnapshot } from './lib/cpu.mjs';
import { pacedRun } from './lib/paced-load.mjs';
import {
  api,
  children,
  createApplication,
  deleteEventStream,
  freePort,
  startChild,
  startPlatform,
  stopChild,
} from './lib/platform.mjs';

/** The shared development application (created on start when MIND_ENV=development). */
const DEV_APP = {
  id: '00e1db72-c57d-478c-88be-3533d43c8b34',
  token:
    'W1VJggwnvg2ldDdvSYES07tpLCWLDlD5nFakVJ6QSCPiZRpAMGyAzKW07OpM1IpceZ2WT5h5Mu7Ekt7WDTQzMUoQkVTRE4NdYUFE',
};

// ---------------------------------------------------------------------------------------------------
// Bare Fastify server: `node bench/api.mjs --bare-server` (a child process of the benchmark, so that it
// has an event loop of its own, as the gateway has). Same paths, same request bodies, no work.
// ---------------------------------------------------------------------------------------------------

// With `--postgres <url>`, each route does what the platform's minimum is for it on a pool of
// connections: the GET reads the conference of the application and the participant of the conference
// (two indexed SELECTs), the POST stores the message (one INSERT, committed as durably as the platform
// commits: what Postgres's WAL flush costs on this disk is in the baseline too).
async function bareServer() {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  const databaseUrl = process.argv[process.argv.indexOf('--postgres') + 1];
  const pool = process.argv.includes('--postgres')
    ? new (await import('pg')).default.Pool({ connectionString: databaseUrl, max: 10 })
    : null;
  app.get('/:applicationId/:conferenceId/participants/:participantId', async (request, reply) => {
    const { applicationId, conferenceId, participantId } = request.params;
    if (!pool) return { id: participantId, name: 'bench' };
    const conference = await pool.query(
      'SELECT id, ended_at FROM conference WHERE id = $1 AND application_id = $2',
      [conferenceId, applicationId],
    );
    if (conference.rows.length === 0) return reply.code(404).send({ error: 'conference not found' });
    const participant = await pool.query('SELECT * FROM participant WHERE id = $1 AND conference_id = $2', [
      participantId,
      conferenceId,
    ]);
    return participant.rows[0] ?? reply.code(404).send({ error: 'participant not found' });
  });
  app.post('/:applicationId/:conferenceId/messages', async (request) => {
    const { conferenceId } = request.params;
    const message = {
      id: randomUUID(),
      sentTo: request.body.sendTo,
      sentAt: Date.now(),
      text: request.body.text,
    };
    await pool?.query(
      'INSERT INTO message (id, conference_id, sent_to, sent_by, sent_at, text) VALUES ($1, $2, $3, $3, $4, $5)',
      [message.id, conferenceId, message.sentTo, message.sentAt, message.text],
    );
    return message;
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ url: address })}\n`);
  const stop = () =>
    app
      .close()
      .then(() => pool?.end())
      .then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// ---------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------

function positiveNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

function settings() {
  return {
    duration: positiveNumber('BENCH_DURATION', 20),
    connections: Math.round(positiveNumber('BENCH_CONNECTIONS', 50)),
    warmup: positiveNumber('BENCH_WARMUP', 2),
    url: process.env.BENCH_URL ? process.env.BENCH_URL.replace(/\/+$/, '') : undefined,
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://mind:mind@127.0.0.1:5432/mind_bench',
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    // The benchmark measures the API path, not the rate limits that protect it.
    env: { MIND_RATE_MESSAGES_PER_TOKEN: '1000000000', MIND_RATE_MESSAGES_PER_IP: '1000000000' },
    maxNon2xxShare: 0.01,
  };
}

// ---------------------------------------------------------------------------------------------------
// Child processes (the platform's services and the bare server)
// ---------------------------------------------------------------------------------------------------

/** A bare Fastify server in a child process; with `databaseUrl`, its GET reads from Postgres. */
async function startBareServer(name, databaseUrl) {
  const args = [
    fileURLToPath(import.meta.url),
    '--bare-server',
    ...(databaseUrl ? ['--postgres', databaseUrl] : []),
  ];
  const entry = startChild(name, args, process.env);
  return new Promise((resolve, reject) => {
    let buffered = '';
    const fail = () => reject(new Error(`${name} did not start:\n${entry.logs()}`));
    const timer = setTimeout(fail, 30_000);
    entry.child.once('exit', fail);
    entry.child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
      if (!line) return;
      clearTimeout(timer);
      entry.child.off('exit', fail);
      resolve(JSON.parse(line).url);
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// API set-up
// ---------------------------------------------------------------------------------------------------

/**
 * Clears the dead rows earlier runs left in the benchmark's database (the outbox and the messages see
 * a delete per insert), so that a run does not measure its predecessors' leftovers where the server
 * runs without autovacuum (as this machine's does).
 */
async function vacuum(databaseUrl) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Tables the benchmark's user does not own are skipped by PostgreSQL with a notice.
    await client.query('VACUUM');
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------------

/**
 * Latencies of 2xx responses at full resolution (autocannon's own histogram keeps whole milliseconds,
 * too coarse for a bare route answering in about a millisecond).
 */
class Latencies {
  constructor() {
    this.values = new Float64Array(1 << 16);
    this.length = 0;
  }
  add(ms) {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = ms;
  }
  percentile(p) {
    if (this.length === 0) return NaN;
    if (!this.sorted) this.sorted = this.values.slice(0, this.length).sort();
    const rank = Math.min(this.length - 1, Math.max(0, Math.ceil((p / 100) * this.length) - 1));
    return this.sorted[rank];
  }
}

async function autocannonRun(autocannon, target, config, seconds, latencies) {
  const instance = autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections: config.connections,
    pipelining: 1,
    duration: seconds,
  });
  if (latencies) {
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.add(responseTime);
    });
  }
  return instance;
}

/** Our own processes by role; the others (PostgreSQL, NATS, Redis) go by command name. */
function processLabel(pid) {
  if (pid === process.pid) return 'load generator';
  return children.find((c) => c.child.pid === pid)?.name;
}

async function measure(autocannon, target, config) {
  process.stderr.write(`  ${target.name}: warm-up ${config.warmup} s, `);
  await autocannonRun(autocannon, target, config, config.warmup);
  process.stderr.write(`measuring ${config.duration} s ... `);
  const latencies = new Latencies();
  const before = cpuSnapshot();
  const result = await autocannonRun(autocannon, target, config, config.duration, latencies);
  const cpu = cpuShares(before, cpuSnapshot(), processLabel);
  const responses = result['2xx'] + result.non2xx;
  const measured = {
    name: target.name,
    rps: result.requests.average,
    total: responses,
    p50: latencies.percentile(50),
    p99: latencies.percentile(99),
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([s, { count }]) => [s, count]),
    ),
    errors: result.errors,
    timeouts: result.timeouts,
    cpu,
  };
  process.stderr.write(`${Math.round(measured.rps)} req/s\n`);
  return measured;
}

/**
 * The issue's goals for a route: each a rate (a share of a baseline measured in this run) at which the
 * p99 must stay under `p99` ms.
 */
function goalRates(goal, baselines, route) {
  return goal.shares.flatMap(([baseline, share]) => {
    const measured = baselines.find((b) => b.name === `${baseline} ${route}`);
    return measured ? [{ label: `${share}x ${baseline}`, rate: Math.round(share * measured.rps) }] : [];
  });
}

/** A door at a steady offered rate (open loop: `lib/paced-load.mjs`), after a warm-up at that rate. */
async function measurePaced(target, config, rate, warmup) {
  process.stderr.write(`  ${target.name}: ${rate} req/s offered, warm-up ${warmup} s, `);
  const load = { rate, connections: config.connections };
  await pacedRun(target, { ...load, seconds: warmup }, () => undefined);
  process.stderr.write(`measuring ${config.duration} s ... `);
  const latencies = new Latencies();
  const before = cpuSnapshot();
  const slowest = []; // per second of the run, by when requests were due: stalls show as a few seconds
  const counts = await pacedRun(target, { ...load, seconds: config.duration }, (ms, dueMs) => {
    latencies.add(ms);
    const second = Math.floor(dueMs / 1000);
    slowest[second] = Math.max(slowest[second] ?? 0, ms);
  });
  const cpu = cpuShares(before, cpuSnapshot(), processLabel);
  const measured = {
    name: target.name,
    offered: rate,
    rps: (counts.answered * 1000) / counts.elapsedMs,
    total: counts.answered,
    p50: latencies.percentile(50),
    p99: latencies.percentile(99),
    non2xx: counts.non2xx,
    errors: counts.errors,
    timeouts: 0,
    cpu,
    slowest: Array.from(slowest, (value) => value ?? 0),
  };
  process.stderr.write(`p99 ${ms(measured.p99)} ms\n`);
  return measured;
}

// ---------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const line = (row) =>
    row
      .map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])))
      .join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const ms = (value) => (Number.isFinite(value) ? value.toFixed(2) : '-');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');

const measurements = (pairs) =>
  pairs.flatMap(({ baselines, platforms, paced }) => [...platforms, ...baselines, ...paced]);

function report(config, pairs, load) {
  const cpus = os.cpus();
  console.log('');
  console.log(
    `machine: ${cpus.length} CPU(s), ${cpus[0]?.model ?? 'unknown model'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `${os.platform()} ${os.release()}`,
  );
  console.log(
    `node ${process.version}; autocannon: ${config.connections} connections, ${config.duration} s ` +
      `(after ${config.warmup} s warm-up) per target`,
  );
  console.log(`platform: ${config.url ?? 'started by this script from dist/'}`);
  console.log(`load average (1/5/15 min): before ${load.before}, after ${load.after}`);
  console.log('');

  const rows = [['target', 'req/s', 'p50 ms', 'p99 ms', 'responses', 'non-2xx', 'errors']];
  for (const m of pairs.flatMap(({ baselines, platforms }) => [...platforms, ...baselines])) {
    rows.push([
      m.name,
      m.rps.toFixed(0),
      ms(m.p50),
      ms(m.p99),
      m.total,
      m.non2xx,
      m.timeouts ? `${m.errors} (${m.timeouts} timeouts)` : m.errors,
    ]);
  }
  console.log(table(rows));
  console.log('');

  const ratios = [['platform / baseline', 'req/s', 'p50', 'p99']];
  for (const { route, baselines, platforms } of pairs) {
    for (const platform of platforms) {
      for (const baseline of baselines) {
        ratios.push([
          `${platform.name} / ${baseline.name.slice(0, -route.length - 1)}`,
          ratio(platform.rps, baseline.rps),
          ratio(platform.p50, baseline.p50),
          ratio(platform.p99, baseline.p99),
        ]);
      }
    }
  }
  console.log(table(ratios));
  console.log('');

  const paced = pairs.filter((pair) => pair.paced.length > 0);
  if (paced.length > 0) {
    console.log("At the issue's goal rates (open loop: latency from when each request was due):");
    const goals = [
      [
        'target',
        'offered req/s',
        'answered req/s',
        'p50 ms',
        'p99 ms',
        'goal p99 ms',
        'seconds over',
        'goal',
      ],
    ];
    for (const { goal, paced: runs } of paced) {
      for (const m of runs) {
        const met = m.p99 < goal.p99 && m.rps >= 0.98 * m.offered ? 'met' : 'missed';
        goals.push([
          m.name,
          m.offered,
          m.rps.toFixed(0),
          ms(m.p50),
          ms(m.p99),
          goal.p99,
          `${m.slowest.filter((slowest) => slowest >= goal.p99).length} of ${m.slowest.length}`,
          m.baseline ? `${met} (baseline)` : met,
        ]);
      }
    }
    console.log(table(goals));
    console.log(
      '(seconds over: how many seconds of the run had a request slower than the goal; a few of many are stalls,',
    );
    console.log('most of them a queue)');
    console.log('');
  }

  console.log('CPU during each measured run, % of one core (processes using 1% or more):');
  for (const m of measurements(pairs)) {
    console.log(`  ${m.name}: ${m.cpu.map(([label, share]) => `${label} ${share.toFixed(0)}`).join(', ')}`);
  }
  console.log('');

  let failed = false;
  for (const m of measurements(pairs)) {
    const attempts = m.total + m.errors;
    if (m.non2xx > 0) console.log(`${m.name}: non-2xx responses by status: ${JSON.stringify(m.statusCodes)}`);
    if (m.total === 0) {
      console.log(`FAIL ${m.name}: no responses at all`);
      failed = true;
    } else if (m.non2xx / m.total > config.maxNon2xxShare) {
      console.log(
        `FAIL ${m.name}: ${((100 * m.non2xx) / m.total).toFixed(1)}% of responses were not 2xx: ` +
          'the figures above measure errors',
      );
      failed = true;
    } else if (m.errors / attempts > config.maxNon2xxShare) {
      console.log(`FAIL ${m.name}: ${m.errors} request errors (${m.timeouts} timeouts)`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------

async function main() {
  const config = settings();
  const { default: autocannon } = await import('autocannon');
  const loadavg = () =>
    os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' ');
  const load = { before: loadavg() };
  const cleanups = [];
  let cleaning;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const step of cleanups.reverse()) {
        try {
          await step();
        } catch (error) {
          console.error(`clean-up: ${error.message}`);
        }
      }
    })());
  const interrupted = (signal) => {
    console.error(`\n${signal}: stopping`);
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    let baseUrl = config.url;
    // The API served by the conference service itself (only on a platform this script starts).
    let directUrl = null;
    let application;
    if (baseUrl) {
      application = process.env.BENCH_APP_ID
        ? { id: process.env.BENCH_APP_ID, token: process.env.BENCH_APP_TOKEN ?? '' }
        : DEV_APP;
      console.error(`benchmarking the gateway at ${baseUrl} (application ${application.id})`);
    } else {
      console.error('starting the platform (conference, notifier, gateway) ...');
      let platform;
      cleanups.push(async () => {
        await Promise.all(
          children
            .filter((c) => !c.name.startsWith('bare fastify') && !c.name.startsWith('fastify +'))
            .map(stopChild),
        );
        if (platform) await deleteEventStream(platform.env);
      });
      const apiPort = await freePort();
      platform = await startPlatform({
        ...config,
        env: { ...config.env, MIND_CONFERENCE_API_PORT: String(apiPort) },
      });
      baseUrl = platform.url;
      directUrl = `http://127.0.0.1:${apiPort}`;
      application = await createApplication(platform.env);
      console.error(`platform at ${baseUrl}, NATS prefix ${platform.env.MIND_NATS_PREFIX}`);
    }
    const conference = await api(baseUrl, 'POST', `/${application.id}`, application.token, { name: 'bench' });
    const conferencePath = `/${application.id}/${conference.id}`;
    // Deleting the conference deletes its participants and the messages sent during the benchmark.
    cleanups.push(() => api(baseUrl, 'DELETE', conferencePath, application.token));
    const participant = await api(baseUrl, 'POST', `${conferencePath}/participants`, application.token, {
      name: 'bench',
    });

    const baselineNames = ['bare fastify', 'fastify + postgres'];
    cleanups.push(() => Promise.all(children.filter((c) => baselineNames.includes(c.name)).map(stopChild)));
    const bareUrl = await startBareServer('bare fastify');
    // Without a platform of its own the database is unknown: no Postgres baseline then.
    const pgUrl = config.url ? null : await startBareServer('fastify + postgres', config.databaseUrl);
    if (pgUrl) await vacuum(config.databaseUrl);

    const getPath = `${conferencePath}/participants/${participant.id}`;
    const messagesPath = `${conferencePath}/messages`;
    const get = { method: 'GET', headers: { authorization: `Bearer ${application.token}` } };
    const post = {
      method: 'POST',
      headers: { authorization: `Bearer ${participant.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sendTo: conference.id, text: 'bench' }),
    };
    // The issue's goals: at least these shares of the baselines' rates, with the p99 under `p99` ms.
    const routes = [
      {
        route: 'GET /{a}/{c}/participants/{p}',
        path: getPath,
        request: get,
        pg: true,
        goal: {
          p99: 25,
          shares: [
            ['fastify + postgres', 0.6],
            ['bare fastify', 0.1],
          ],
        },
      },
      {
        route: 'POST /{a}/{c}/messages',
        path: messagesPath,
        request: post,
        pg: true,
        goal: { p99: 40, shares: [['bare fastify', 0.06]] },
      },
    ];
    const platformsOf = () => [
      { name: 'platform', url: baseUrl },
      ...(directUrl ? [{ name: 'platform direct', url: directUrl }] : []),
    ];
    const baselinesOf = (route) => [
      { name: 'bare fastify', url: bareUrl },
      ...(route.pg && pgUrl ? [{ name: 'fastify + postgres', url: pgUrl }] : []),
    ];

    // One request each before measuring, so that a wrong set-up fails with a message, not a table of 4xx.
    for (const route of routes) {
      const { path, request } = route;
      for (const base of [...platformsOf().map((p) => p.url), ...baselinesOf(route).map((b) => b.url)]) {
        const response = await fetch(`${base}${path}`, request);
        if (response.status !== 200) {
          throw new Error(
            `${request.method} ${base}${path} answered ${response.status}: ${await response.text()}`,
          );
        }
      }
    }

    console.error(
      `measuring: ${config.connections} connections, ${config.warmup} s warm-up + ${config.duration} s per target`,
    );
    const pairs = [];
    for (const target of routes) {
      const { route, path, request, goal } = target;
      const baselines = [];
      for (const baseline of baselinesOf(target)) {
        const name = `${baseline.name} ${route}`;
        baselines.push(
          await measure(autocannon, { name, url: `${baseline.url}${path}`, ...request }, config),
        );
      }
      // At the goals' rates before the platform's own saturation runs, so that each door starts from a
      // steady state; the direct door first, since the gateway's door is past its saturation there.
      const paced = [];
      // A route's first goal rate warms each door for as long as it is then measured (at most 10 s),
      // not only BENCH_WARMUP: the conference service serves no POST before the POST goals, and after
      // 2 s of them it still spent 0.85 ms of CPU per post against 0.75 ms after 10 s (bench/README.md).
      let warmup = Math.max(config.warmup, Math.min(10, config.duration));
      for (const { label, rate } of goalRates(goal, baselines, route)) {
        // The baselines at the same rate show what the machine and the load generator allow.
        const measuredBaselines = baselinesOf(target).map((b) => ({ ...b, baseline: true }));
        for (const door of [...platformsOf().reverse(), ...measuredBaselines]) {
          const name = `${door.name} ${route} at ${label}`;
          const measured = await measurePaced(
            { name, url: `${door.url}${path}`, ...request },
            config,
            rate,
            warmup,
          );
          paced.push({ ...measured, baseline: door.baseline === true });
        }
        warmup = config.warmup;
      }
      const platforms = [];
      for (const platform of platformsOf()) {
        const name = `${platform.name} ${route}`;
        platforms.push(
          await measure(autocannon, { name, url: `${platform.url}${path}`, ...request }, config),
        );
      }
      pairs.push({ route, baselines, platforms, paced, goal });
    }
    load.after = loadavg();
    process.exitCode = report(config, pairs, load);
  } catch (error) {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

if (process.argv.includes('--bare-server')) {
  await bareServer();
} else {
  await main();
}
