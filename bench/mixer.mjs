// Conference mixer (MCU) cost: CPU and memory of one ConferenceMixer (from dist/) mixing N synthetic
// participants (N = 2, 4, 6) into 640x360 and 1280x720 at 25 fps. Each participant publishes VP8 video and
// Opus audio through PlainTransports, sent by an ffmpeg of the benchmark that loops pre-encoded clips
// (so that the senders cost next to nothing and are not counted). Measured per run, after a warm-up:
// the Node process (compositing and audio mixing run in its mixing thread), the ffmpeg decoders and encoders the mixer
// spawned, and the mediasoup worker, all from /proc; and whether the mixed video really flows, counted by
// a small process of its own that consumes it.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { ROOT, sleep } from './lib/platform.mjs';

const run = promisify(execFile);
if (!process.env.MEDIASOUP_WORKER_BIN) {
  const { stdout } = await run('bash', [join(ROOT, 'deploy/mediasoup-worker/build.sh'), '--path']);
  process.env.MEDIASOUP_WORKER_BIN = stdout.trim();
}
const mediasoup = await import('mediasoup');
const { default: pino } = await import('pino');
const { MEDIA_CODECS } = await import(join(ROOT, 'dist/libs/sdp/src/index.js'));
const { ConferenceMixer } = await import(join(ROOT, 'dist/apps/media/src/mixer/conference-mixer.js'));

const SECONDS = Number(process.env.BENCH_DURATION ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const PARTICIPANTS = (process.env.BENCH_PARTICIPANTS ?? '2,4,6').split(',').map(Number);
const SIZES = (process.env.BENCH_SIZES ?? '640x360,1280x720').split(',').map((size) => {
  const [width, height] = size.split('x').map(Number);
  return { width, height };
});
const FPS = 25;
const CLIP_SECONDS = 10;
const TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;
const VP8 = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
const OPUS = { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 };
const VIDEO_SSRC = 0x10000;
const AUDIO_SSRC = 0x20000;

// Warnings only, on stderr: stdout stays the table.
const logger = pino({ level: 'warn', base: { service: 'bench-mixer' } }, pino.destination(2));
const workdir = mkdtempSync(join(os.tmpdir(), 'mind-bench-mixer-'));
const tools = new Set(); // our own child processes (senders, counter): never counted as the mixer's

/** Parent pid, CPU seconds (user + system) and RSS bytes of a process, from /proc; null once gone. */
function procStat(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return {
      ppid: Number(fields[1]),
      cpu: (Number(fields[11]) + Number(fields[12])) / TICKS,
      rss: Number(fields[21]) * PAGE,
    };
  } catch {
    return null;
  }
}

/** Proportional set size in bytes (shared pages split between the processes that map them). */
function pss(pid) {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** What a child process of this benchmark is, from its command line. */
function roleOf(pid, workerPid) {
  if (pid === workerPid) return 'worker';
  if (tools.has(pid)) return 'tool';
  const args = cmdline(pid);
  if (!args[0]?.endsWith('ffmpeg')) return 'other';
  if (args.some((arg, index) => arg === 'sdp' && args[index - 1] === '-f'))
    return args.includes('-vn') ? 'decoder-audio' : 'decoder-video';
  if (args.includes('libx264')) return 'encoder-video';
  if (args.includes('libopus')) return 'encoder-audio';
  if (args.includes('lavfi')) return 'card';
  return 'other';
}

/** The direct children of this process with their role and /proc figures. */
function children(workerPid) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = procStat(pid);
    if (stat?.ppid === process.pid) found.push({ pid, role: roleOf(pid, workerPid), ...stat });
  }
  return found;
}

/**
 * Updates CPU seconds and RSS of this process's children by pid. At the first sample a process's CPU so
 * far is its starting point; a process that appears later started within the run and counts from zero.
 */
function sampleChildren(seen, workerPid, first) {
  for (const entry of seen.values()) entry.alive = false;
  for (const child of children(workerPid)) {
    const entry = seen.get(child.pid) ?? { role: child.role, first: first ? child.cpu : 0 };
    Object.assign(entry, { last: child.cpu, rss: child.rss, alive: true });
    seen.set(child.pid, entry);
  }
}

async function ffmpeg(args) {
  await run('ffmpeg', ['-hide_banner', '-nostats', '-loglevel', 'error', '-y', ...args]);
}

/** A VP8 clip (key frame every 2 s) and per-participant Opus tones, encoded once and then looped. */
async function prepareClips(count) {
  const video = join(workdir, 'video.webm');
  await ffmpeg([
    ...['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30`, '-t', String(CLIP_SECONDS)],
    ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k', '-g', '60'],
    ...['-auto-alt-ref', '0', '-lag-in-frames', '0', '-an', video],
  ]);
  const audio = [];
  for (let index = 0; index < count; index++) {
    const file = join(workdir, `tone${index}.ogg`);
    await ffmpeg([
      ...['-f', 'lavfi', '-i', `sine=frequency=${300 + 110 * index}:sample_rate=48000`],
      ...['-t', String(CLIP_SECONDS), '-c:a', 'libopus', '-b:a', '32k', file],
    ]);
    audio.push(file);
  }
  return { video, audio };
}

async function ingest(router, kind, codec, ssrc) {
  const transport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    // ffmpeg sends RTCP from a socket of its own (as the mixer's own outputs do).
    rtcpMux: false,
    comedia: true,
  });
  const producer = await transport.produce({
    kind,
    rtpParameters: { codecs: [codec], encodings: [{ ssrc }] },
  });
  const url = `rtp://127.0.0.1:${transport.tuple.localPort}?rtcpport=${transport.rtcpTuple.localPort}&pkt_size=1200`;
  return { transport, producer, url };
}

/** One synthetic participant: a VP8 and an Opus producer, fed by one ffmpeg looping the clips. */
async function participant(router, clips, index) {
  const video = await ingest(router, 'video', VP8, VIDEO_SSRC + index);
  const audio = await ingest(router, 'audio', OPUS, AUDIO_SSRC + index);
  const rtp = (stream, { payloadType }, { url }, ssrc) => [
    ...['-map', stream, '-c', 'copy', '-f', 'rtp'],
    ...['-payload_type', String(payloadType), '-ssrc', String(ssrc), url],
  ];
  const args = [
    ...['-hide_banner', '-nostats', '-loglevel', 'error'],
    ...['-re', '-stream_loop', '-1', '-i', clips.video],
    ...['-re', '-stream_loop', '-1', '-i', clips.audio[index]],
    ...rtp('0:v', VP8, video, VIDEO_SSRC + index),
    ...rtp('1:a', OPUS, audio, AUDIO_SSRC + index),
  ];
  const sender = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  tools.add(sender.pid);
  let errors = '';
  sender.stderr.setEncoding('utf8').on('data', (text) => (errors = (errors + text).slice(-2000)));
  const resource = {
    id: randomUUID(),
    online: true,
    name: `Participant ${index + 1}`,
    priority: 0,
    role: 'speaker',
    layout: 'mosaic',
    language: 'en',
    media: { audio: true, video: true },
    secondaryMedia: { audio: false, video: false },
  };
  return { resource, video, audio, sender, errors: () => errors };
}

/**
 * Counts the mixed video in a process of its own: packets, bytes, frames (RTP marker bits) and how far
 * the RTP timestamp advanced (90 kHz ticks), reported as a JSON line whenever a line comes on its stdin.
 */
async function startCounter(payloadType) {
  const source = `
    const socket = require('node:dgram').createSocket('udp4');
    const counts = { packets: 0, bytes: 0, frames: 0, ticks: 0 };
    let last = null;
    socket.on('message', (packet) => {
      if ((packet[1] & 0x7f) !== ${payloadType}) return; // RTCP
      counts.packets++;
      counts.bytes += packet.length;
      if (packet[1] & 0x80) counts.frames++;
      const timestamp = packet.readUInt32BE(4);
      const step = last === null ? 0 : (timestamp - last) >>> 0;
      if (step < 2 ** 31) (counts.ticks += step), (last = timestamp);
    });
    socket.bind(0, '127.0.0.1', () => {
      socket.setRecvBufferSize(8 * 1024 * 1024);
      console.log(JSON.stringify({ port: socket.address().port }));
    });
    require('node:readline')
      .createInterface({ input: process.stdin })
      .on('line', () => console.log(JSON.stringify(counts)));
    process.stdin.on('end', () => process.exit(0));
  `;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['pipe', 'pipe', 'inherit'] });
  tools.add(child.pid);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value);
  const { port } = await next();
  return {
    port,
    read: () => {
      child.stdin.write('\n');
      return next();
    },
    stop: () => child.stdin.end(),
  };
}

async function byteCount(producer) {
  return (await producer.getStats()).reduce((sum, stats) => sum + stats.byteCount, 0);
}

async function waitForMedia(people) {
  const deadline = Date.now() + 10_000;
  for (const person of people) {
    for (const { producer } of [person.video, person.audio]) {
      while ((await byteCount(producer)) === 0) {
        if (person.sender.exitCode !== null || Date.now() > deadline) {
          throw new Error(`synthetic participant sends no ${producer.kind}:\n${person.errors()}`);
        }
        await sleep(100);
      }
    }
  }
}

async function waitForChildren(workerPid, keep) {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && children(workerPid).some((c) => !keep(c))) await sleep(100);
}

async function measure(worker, clips, count, { width, height }) {
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  const people = [];
  let mixer;
  let counter;
  try {
    for (let index = 0; index < count; index++) people.push(await participant(router, clips, index));
    await waitForMedia(people);
    const byKey = new Map(people.map((p) => [`${p.resource.id}#primary`, p]));
    mixer = await ConferenceMixer.start(
      { router, producerOf: (key, kind) => byKey.get(key)?.[kind].producer },
      { layout: 'mosaic', participants: people.map((p) => p.resource) },
      { width, height, fps: FPS, videoBitrate: 2_500_000, audioBitrate: 64_000, idleStopMs: 600_000 },
      logger,
    );
    mixer.sourcesChanged();

    // Someone watches the mix: a consumer on a PlainTransport towards the counting process.
    const payloadType = mixer.output.video.rtpParameters.codecs[0].payloadType;
    counter = await startCounter(payloadType);
    const egress = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
    });
    await egress.connect({ ip: '127.0.0.1', port: counter.port });
    await egress.consume({ producerId: mixer.output.video.id, rtpCapabilities: router.rtpCapabilities });

    await sleep(WARMUP * 1000);

    const start = {
      node: process.cpuUsage(),
      counts: await counter.read(),
      video: await byteCount(mixer.output.video),
      audio: await byteCount(mixer.output.audio),
      at: performance.now(),
    };
    const seen = new Map();
    sampleChildren(seen, worker.pid, true);
    // Sampled every second, so that a process ending mid-run loses at most a second of its CPU.
    const timer = setInterval(() => sampleChildren(seen, worker.pid, false), 1000);
    await sleep(SECONDS * 1000);
    clearInterval(timer);
    sampleChildren(seen, worker.pid, false);
    const end = {
      node: process.cpuUsage(start.node),
      counts: await counter.read(),
      video: await byteCount(mixer.output.video),
      audio: await byteCount(mixer.output.audio),
      at: performance.now(),
      rss: process.memoryUsage().rss,
    };
    const elapsed = (end.at - start.at) / 1000;
    const percent = (seconds) => (seconds / elapsed) * 100;
    const sum = (test, field) =>
      [...seen.values()].filter((e) => test(e.role)).reduce((total, e) => total + field(e), 0);
    const cpu = (test) => percent(sum(test, (e) => e.last - e.first));
    const rss = (test) => sum(test, (e) => (e.alive ? e.rss : 0)) / 2 ** 20;
    const alive = (role) => [...seen.values()].filter((e) => e.role === role && e.alive).length;
    const isDecoder = (role) => role.startsWith('decoder');
    const isEncoder = (role) => role.startsWith('encoder');
    const isMixerFfmpeg = (role) => isDecoder(role) || isEncoder(role) || role === 'card';
    // Tiles showing live video at the end, as the mixing thread reports them.
    const liveTiles = Object.values((await mixer.stats()).videoInputs).filter(Boolean).length;
    return {
      count,
      size: `${width}x${height}`,
      node: percent((end.node.user + end.node.system) / 1e6),
      decoders: cpu(isDecoder),
      encoders: cpu(isEncoder),
      cards: cpu((role) => role === 'card'),
      worker: cpu((role) => role === 'worker'),
      senders: cpu((role) => role === 'tool'),
      rssNode: end.rss / 2 ** 20,
      rssFfmpeg: rss(isMixerFfmpeg),
      pssFfmpeg:
        [...seen]
          .filter(([, e]) => e.alive && isMixerFfmpeg(e.role))
          .reduce((total, [pid]) => total + pss(pid), 0) /
        2 ** 20,
      rssWorker: rss((role) => role === 'worker'),
      decodersAlive: alive('decoder-video') + alive('decoder-audio'),
      encodersAlive: alive('encoder-video') + alive('encoder-audio'),
      liveTiles,
      fps: (end.counts.frames - start.counts.frames) / elapsed,
      // Seconds of video timeline per second of wall clock: 1 while the video keeps pace with the audio.
      timeline: (end.counts.ticks - start.counts.ticks) / 90000 / elapsed,
      videoKbps: ((end.video - start.video) * 8) / elapsed / 1000,
      audioKbps: ((end.audio - start.audio) * 8) / elapsed / 1000,
      load: os.loadavg()[0],
    };
  } finally {
    counter?.stop();
    mixer?.close();
    for (const person of people) person.sender.kill('SIGTERM');
    router.close();
    await Promise.all(people.map((p) => (p.sender.exitCode === null ? once(p.sender, 'exit') : null)));
    // The mixer's ffmpegs end on SIGTERM (SIGKILL after 2 s): let them go before the next run.
    await waitForChildren(worker.pid, (child) => child.role === 'worker');
    tools.clear();
  }
}

const fixed = (value, digits = 1) => value.toFixed(digits);

async function main() {
  const cpus = os.cpus();
  const [one, five, fifteen] = os.loadavg().map((value) => value.toFixed(2));
  console.log(
    `machine: ${cpus.length} x ${cpus[0]?.model}; node ${process.version}; mediasoup ${mediasoup.version}`,
  );
  console.log(`load average at start: ${one} ${five} ${fifteen}`);
  console.log(
    `one mixer, mosaic, ${FPS} fps, H.264 2500 kbit/s + Opus 64 kbit/s; participants send VP8 640x360@30 ` +
      `+ Opus; ${WARMUP} s warm-up, ${SECONDS} s measured per run`,
  );
  const clips = await prepareClips(Math.max(...PARTICIPANTS));
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  console.log(`node RSS before the first mixer: ${fixed(process.memoryUsage().rss / 2 ** 20, 0)} MB`);
  const rows = [];
  try {
    for (const size of SIZES) {
      for (const count of PARTICIPANTS) rows.push(await measure(worker, clips, count, size));
    }
  } finally {
    worker.close();
    rmSync(workdir, { recursive: true, force: true });
  }

  // Groups of [header, value] columns, each as wide as its header (at least 5).
  const groups = [
    [
      '',
      [
        ['people', (r) => r.count],
        ['output', (r) => r.size],
      ],
    ],
    [
      'CPU, % of one core',
      [
        ['total', (r) => fixed(r.node + r.decoders + r.cards + r.encoders + r.worker)],
        ['node', (r) => fixed(r.node)],
        ['decoders', (r) => fixed(r.decoders + r.cards)],
        ['encoders', (r) => fixed(r.encoders)],
        ['worker', (r) => fixed(r.worker)],
      ],
    ],
    [
      'memory, MB',
      [
        ['node RSS', (r) => fixed(r.rssNode, 0)],
        ['ffmpeg RSS', (r) => fixed(r.rssFfmpeg, 0)],
        ['ffmpeg PSS', (r) => fixed(r.pssFfmpeg, 0)],
        ['worker RSS', (r) => fixed(r.rssWorker, 0)],
      ],
    ],
    [
      'mixed output',
      [
        ['fps', (r) => fixed(r.fps)],
        ['timeline', (r) => fixed(r.timeline, 2)],
        ['video kb/s', (r) => fixed(r.videoKbps, 0)],
        ['audio kb/s', (r) => fixed(r.audioKbps, 0)],
        ['tiles', (r) => `${r.liveTiles}/${r.count}`],
        ['procs', (r) => `${r.decodersAlive}+${r.encodersAlive}`],
      ],
    ],
    [
      'not counted',
      [
        ['senders', (r) => fixed(r.senders)],
        ['load', (r) => fixed(r.load, 2)],
      ],
    ],
  ];
  const width = (header) => (header === 'output' ? 9 : Math.max(header.length, 5));
  const line = (cell) => groups.map(([title, columns]) => cell(title, columns)).join(' | ');
  console.log('');
  console.log(
    line((title, columns) =>
      title.padEnd(columns.reduce((sum, [header]) => sum + width(header) + 2, -2)),
    ).trimEnd(),
  );
  const align = (header, text) =>
    header === 'output' ? text.padEnd(width(header)) : text.padStart(width(header));
  console.log(line((title, columns) => columns.map(([header]) => align(header, header)).join('  ')));
  let failed = false;
  for (const r of rows) {
    const complete =
      r.fps > 0 && r.liveTiles === r.count && r.decodersAlive === 2 * r.count && r.encodersAlive === 2;
    if (!complete) failed = true;
    const cells = line((title, columns) =>
      columns.map(([header, value]) => align(header, String(value(r)))).join('  '),
    );
    console.log(complete ? cells : `${cells}  <- mixed output incomplete`);
  }
  const [endOne, endFive, endFifteen] = os.loadavg().map((value) => value.toFixed(2));
  console.log(`load average at end: ${endOne} ${endFive} ${endFifteen}`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
