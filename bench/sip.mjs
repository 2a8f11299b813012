// SIP gateway: call set-up time through the API (dial → answered, → the phone's RTP flowing) against
// sipp as the phone (answers with PCMU and echoes RTP), next to the bare SIP stack calling the same
// sipp directly (INVITE → 200); then CPU per concurrent call (gateway, media node) with its audio
// transcoded both ways, next to the transcoding engine run directly and to a plain RTP relay (no
// transcoding) in this process. Prints p50/p95 and calls per core (the gateway's; all in, with the
// media node's part). Needs `npm run build`, the cached worker and Debian's sip-tester. BENCH_CALLS
// (20) sequential calls, BENCH_CONCURRENT (10) calls held for BENCH_DURATION (20) seconds.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { cpuShares, cpuSnapshot } from './lib/cpu.mjs';
import {
  ROOT,
  api,
  children,
  createApplication,
  deleteEventStream,
  sleep,
  startPlatform,
  stopChild,
} from './lib/platform.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 20);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 20);
const GATEWAY_IP = '127.0.0.2';
const PHONE_IP = '127.0.0.3';
const SCENARIO = join(ROOT, 'tests/fixtures/sip/scenarios/uas_answer.xml');
const require = createRequire(import.meta.url);
const sip = require('sip');
const audio = await import(join(ROOT, 'dist/libs/audio/src/index.js'));
const rtp = await import(join(ROOT, 'dist/libs/rtp/src/index.js'));

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};
const row = (label, values) =>
  console.log(
    `${label.padEnd(52)} p50 ${percentile(values, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(
      values,
      95,
    )
      .toFixed(1)
      .padStart(7)} ms`,
  );

async function freeUdpPort(ip) {
  const socket = createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, ip, resolve));
  const { port } = socket.address();
  socket.close();
  return port;
}

/** sipp answering `calls` calls at `uri` (PCMU), echoing every RTP packet back to its sender. */
async function startSipp(calls) {
  const port = await freeUdpPort(PHONE_IP);
  const mediaPort = 40000 + Math.floor(Math.random() * 10000) * 2;
  const child = spawn(
    'sipp',
    [
      ...['-sf', SCENARIO, '-i', PHONE_IP, '-p', String(port), '-mi', PHONE_IP, '-mp', String(mediaPort)],
      ...['-ci', PHONE_IP, '-t', 'u1', '-m', String(calls), '-nostdin', '-rtp_echo', '-timeout', '600s'],
    ],
    { stdio: 'ignore' },
  );
  await sleep(1000);
  if (child.exitCode !== null) throw new Error(`sipp exited with ${child.exitCode}`);
  return { child, uri: `sip:phone@${PHONE_IP}:${port}` };
}

/** The bare SIP stack (the npm package the gateway uses) calling sipp: INVITE sent → 200 received. */
async function bareStack(uri, calls) {
  const port = await freeUdpPort(GATEWAY_IP);
  const stack = sip.create({ address: GATEWAY_IP, port, udp: true, tcp: false }, () => undefined);
  const offer = [
    'v=0',
    `o=- 1 1 IN IP4 ${GATEWAY_IP}`,
    's=-',
    `c=IN IP4 ${GATEWAY_IP}`,
    't=0 0',
    'm=audio 9 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
    '',
  ].join('\r\n');
  const times = [];
  for (let i = 0; i < calls; i++) {
    const tag = Math.random().toString(16).slice(2);
    const callId = `${tag}@bench`;
    const started = performance.now();
    const answered = await new Promise((resolve, reject) => {
      stack.send(
        {
          method: 'INVITE',
          uri,
          headers: {
            to: { uri },
            from: { uri: 'sip:bench@example.com', params: { tag } },
            'call-id': callId,
            cseq: { method: 'INVITE', seq: 1 },
            contact: [{ uri: `sip:bench@${GATEWAY_IP}:${port}` }],
            'content-type': 'application/sdp',
          },
          content: offer,
        },
        (response) => {
          if (response.status >= 300) reject(new Error(`sipp answered ${response.status}`));
          else if (response.status >= 200) resolve(response);
        },
      );
    });
    times.push(performance.now() - started);
    const dialog = {
      uri: answered.headers.contact?.[0]?.uri ?? uri,
      headers: {
        to: answered.headers.to,
        from: answered.headers.from,
        'call-id': callId,
        contact: [{ uri: `sip:bench@${GATEWAY_IP}:${port}` }],
      },
    };
    stack.send({
      method: 'ACK',
      ...dialog,
      headers: { ...dialog.headers, cseq: { method: 'ACK', seq: 1 }, via: [] },
    });
    await new Promise((resolve) =>
      stack.send(
        { method: 'BYE', ...dialog, headers: { ...dialog.headers, cseq: { method: 'BYE', seq: 2 } } },
        resolve,
      ),
    );
  }
  stack.destroy();
  return times;
}

/** The application socket of a conference, with a way to wait for a notification. */
async function appSocket(url, app, conferenceId) {
  const ws = new WebSocket(
    `${url.replace(/^http/, 'ws')}/${app.id}/${conferenceId}?access_token=${encodeURIComponent(app.token)}`,
  );
  await once(ws, 'open');
  const waiters = [];
  ws.on('message', (data) => {
    const notification = JSON.parse(data.toString());
    for (const waiter of [...waiters]) {
      if (waiter.match(notification)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(performance.now());
      }
    }
  });
  return {
    when: (match) => new Promise((resolve) => waiters.push({ match, resolve })),
    close: () => ws.close(),
  };
}

/**
 * The gateway's audio work for one call, run directly: each 20 ms, a PCMU frame decoded, resampled to
 * 48 kHz and encoded to Opus, and an Opus frame decoded, resampled to 8 kHz and encoded to PCMU.
 */
function engineCpuPerCall() {
  const frames = 1500; // 30 s of audio
  const tone = Int16Array.from({ length: 960 }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000)),
  );
  const encoder = new audio.OpusEncoder(48000, 1);
  const decoder = new audio.OpusDecoder(48000, 1);
  const packet = encoder.encode(tone);
  const pcmu = audio.encodeMuLaw(new Int16Array(160));
  const up = new audio.Resampler(8000, 48000);
  const down = new audio.Resampler(48000, 8000);
  const since = process.cpuUsage();
  for (let i = 0; i < frames; i++) {
    encoder.encode(up.process(audio.decodeMuLaw(pcmu)));
    audio.encodeMuLaw(down.process(decoder.decode(packet)));
  }
  const { user, system } = process.cpuUsage(since);
  encoder.close();
  decoder.close();
  return (100 * (user + system)) / 1e6 / ((frames * 20) / 1000);
}

/** A plain RTP relay (parse, rewrite, send; no transcoding) for one call: 50 packets/s each way. */
async function relayCpuPerCall() {
  const a = createSocket('udp4');
  const b = createSocket('udp4');
  await Promise.all([
    new Promise((r) => a.bind(0, '127.0.0.1', r)),
    new Promise((r) => b.bind(0, '127.0.0.1', r)),
  ]);
  const packets = 10_000;
  let received = 0;
  const done = new Promise((resolve) =>
    b.on('message', () => {
      if (++received === packets) resolve();
    }),
  );
  const payload = Buffer.alloc(160, 0xff);
  const since = process.cpuUsage();
  for (let i = 0; i < packets; i++) {
    const parsed = rtp.parseRtp(
      rtp.serializeRtp({ payloadType: 0, marker: false, sequence: i, timestamp: i * 160, ssrc: 1 }, payload),
    );
    const out = rtp.serializeRtp({ ...parsed, payloadType: 111 }, parsed.payload);
    a.send(out, b.address().port, '127.0.0.1');
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  }
  await Promise.race([done, sleep(5000)]);
  const { user, system } = process.cpuUsage(since);
  a.close();
  b.close();
  // 100 packets a second per call (50 each way), each sent once and received once.
  return 100 * ((user + system) / 1e6 / Math.max(1, received)) * 100;
}

async function main() {
  const { env, url, services } = await startPlatform({
    databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://mind:mind@127.0.0.1:5432/mind_test',
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    media: true,
    sip: true,
    env: {
      MIND_OUTBOUND_ALLOW: PHONE_IP,
      MIND_SIP_LISTEN_IP: GATEWAY_IP,
      MIND_SIP_PORT: String(await freeUdpPort(GATEWAY_IP)),
      MIND_MEDIA_WORKERS: '1',
    },
  });
  const app = await createApplication(env);
  const conference = await api(url, 'POST', `/${app.id}`, app.token, { name: 'sip bench' });
  const base = `/${app.id}/${conference.id}`;
  const socket = await appSocket(url, app, conference.id);
  const participant = async () =>
    (await api(url, 'POST', `${base}/participants`, app.token, { name: 'Phone', role: 'speaker' })).id;
  const dial = (id, uri) =>
    api(url, 'POST', `${base}/participants/${id}/dial`, app.token, {
      from: 'sip:bench@example.com',
      to: uri,
    });
  const hangup = (id) => api(url, 'POST', `${base}/participants/${id}/hangup`, app.token, {});
  const flowing = (id) =>
    socket.when((n) => n.location === `/participants/${id}` && n.resource?.media?.audio === true);

  console.log(
    `SIP gateway, ${os.cpus().length} cores, ${CALLS} calls one after the other (sipp answers, PCMU)`,
  );
  const bare = await startSipp(CALLS);
  row('bare SIP stack: INVITE -> 200', await bareStack(bare.uri, CALLS));
  await stopChild(bare);

  const phone = await startSipp(CALLS);
  const answered = [];
  const media = [];
  for (let i = 0; i < CALLS; i++) {
    const id = await participant();
    const audioFlows = flowing(id);
    const started = performance.now();
    const reply = await dial(id, phone.uri);
    if (reply.status !== 'answered') throw new Error(`call ${i}: ${reply.status}`);
    answered.push(performance.now() - started);
    media.push((await audioFlows) - started);
    await hangup(id);
  }
  await stopChild(phone);
  row('platform: dial request -> answered (bridged, online)', answered);
  row("platform: dial request -> the phone's RTP flowing", media);

  console.log(`\n${CONCURRENT} calls at once for ${DURATION_S} s (PCMU phone, transcoded both ways):`);
  const held = await startSipp(CONCURRENT);
  const ids = [];
  for (let i = 0; i < CONCURRENT; i++) {
    const id = await participant();
    const audioFlows = flowing(id);
    if ((await dial(id, held.uri)).status !== 'answered') throw new Error('a held call was not answered');
    await audioFlows;
    ids.push(id);
  }
  await sleep(2000);
  const before = cpuSnapshot();
  await sleep(DURATION_S * 1000);
  const after = cpuSnapshot();
  const labels = new Map([
    [services.sip.child.pid, 'SIP gateway'],
    [services.media.child.pid, 'media node'],
  ]);
  const shares = cpuShares(before, after, (pid) => labels.get(pid));
  for (const id of ids) await hangup(id);
  await stopChild(held);
  const share = (label) => shares.find(([name]) => name === label)?.[1] ?? 0;
  for (const [label, percent] of shares.slice(0, 6)) {
    console.log(
      `${label.padEnd(24)} ${percent.toFixed(1).padStart(6)}% of a core   ${(percent / CONCURRENT).toFixed(2).padStart(6)}% per call`,
    );
  }
  const gatewayPerCall = share('SIP gateway') / CONCURRENT;
  const enginePerCall = engineCpuPerCall();
  const relayPerCall = await relayCpuPerCall();
  console.log(`\nper call, CPU% of one core:`);
  console.log(`SIP gateway (transcoding both ways)      ${gatewayPerCall.toFixed(2).padStart(6)}%`);
  console.log(`transcoding engine run directly          ${enginePerCall.toFixed(2).padStart(6)}%`);
  console.log(`plain RTP relay, no transcoding          ${relayPerCall.toFixed(2).padStart(6)}%`);
  // The media node's part of a call: its process, its worker (whose name /proc cuts to 15 characters)
  // and the encoder of the mix the phone hears (the conference without its own voice: an ffmpeg each).
  const mediaPerCall = (share('media node') + share('mediasoup-worke') + share('ffmpeg')) / CONCURRENT;
  console.log(`media node's part (process, worker, mix encoder)  ${mediaPerCall.toFixed(2).padStart(6)}%`);
  console.log(
    `calls per core: SIP gateway alone ${Math.floor(100 / Math.max(gatewayPerCall, 0.01))}, all in ${Math.floor(
      100 / Math.max(gatewayPerCall + mediaPerCall, 0.01),
    )}`,
  );
  console.log(
    `load average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  socket.close();
  await deleteEventStream(env);
}

try {
  await main();
} finally {
  for (const child of children) await stopChild(child);
}
