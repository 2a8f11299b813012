// SFU forwarding cost: one producer to N consumers (N = 10, 50, 100) over PlainTransports with synthetic
// RTP, measured as mediasoup worker CPU per forwarded stream. Each N runs three times in the same
// process: on a router of a bare mediasoup script, on a router of the media node's own ConferenceRoom
// (from dist/, with the producer published in the room as sessions do), and there again with consumers
// that number payload types and header extensions as Firefox does (our worker renumbers each packet for
// them). A ratio near 1 means the media node adds no per-packet work: RTP never passes through JavaScript.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { ROOT, sleep } from './lib/platform.mjs';

const run = promisify(execFile);
if (!process.env.MEDIASOUP_WORKER_BIN) {
  const { stdout } = await run('bash', [join(ROOT, 'deploy/mediasoup-worker/build.sh'), '--path']);
  process.env.MEDIASOUP_WORKER_BIN = stdout.trim();
}
const mediasoup = await import('mediasoup');
const { MEDIA_CODECS, DEFAULT_PUBLISHING_POLICY } = await import(join(ROOT, 'dist/libs/sdp/src/index.js'));
const { loadConfig } = await import(join(ROOT, 'dist/libs/config/src/index.js'));
const { OutboundPolicy } = await import(join(ROOT, 'dist/libs/outbound/src/index.js'));
const { createLogger } = await import(join(ROOT, 'dist/libs/logging/src/index.js'));
const { ConferenceRoom } = await import(join(ROOT, 'dist/apps/media/src/conference-room.js'));

const SECONDS = Number(process.env.BENCH_DURATION ?? 10);
const FANOUTS = (process.env.BENCH_FANOUTS ?? '10,50,100').split(',').map(Number);
const PACKETS_PER_SECOND = 500;
const PAYLOAD = Buffer.alloc(1000, 7);
const SSRC = 0x11111111;
const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** A subscriber that numbers Opus and the header extensions unlike the router (Firefox's numbering). */
const FIREFOX_NUMBERING = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 109, clockRate: 48000, channels: 2 },
  ],
  headerExtensions: [
    { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', preferredId: 1 },
    { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 3 },
  ],
};

async function measure(router, publish, fanout, rtpCapabilities = router.rtpCapabilities) {
  const sink = createSocket('udp4');
  let received = 0;
  sink.on('message', () => received++);
  sink.bind(0, '127.0.0.1');
  await once(sink, 'listening');
  // The counting sink is JavaScript: give it room so it measures the SFU, not its own backlog.
  sink.setRecvBufferSize(16 * 1024 * 1024);
  const ingest = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: true,
    comedia: true,
  });
  const producer = await ingest.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: SSRC }],
    },
  });
  publish(producer);
  const egress = [];
  for (let i = 0; i < fanout; i++) {
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
    });
    await transport.connect({ ip: '127.0.0.1', port: sink.address().port });
    await transport.consume({ producerId: producer.id, rtpCapabilities });
    egress.push(transport);
  }
  const sender = createSocket('udp4');
  let seq = 0;
  const send = () => {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = 111;
    header.writeUInt16BE(seq & 0xffff, 2);
    header.writeUInt32BE((seq * 960) >>> 0, 4);
    header.writeUInt32BE(SSRC, 8);
    seq++;
    sender.send(Buffer.concat([header, PAYLOAD]), ingest.tuple.localPort, '127.0.0.1');
  };
  const timer = setInterval(() => {
    for (let i = 0; i < PACKETS_PER_SECOND / 100; i++) send();
  }, 10);
  await sleep(1000); // warm-up
  const pid = router.appData.workerPid;
  const before = { cpu: cpuSeconds(pid), received, sent: seq };
  await sleep(SECONDS * 1000);
  const after = { cpu: cpuSeconds(pid), received, sent: seq };
  clearInterval(timer);
  sender.close();
  sink.close();
  for (const transport of egress) transport.close();
  ingest.close();
  const sent = after.sent - before.sent;
  const delivered = (after.received - before.received) / (sent * fanout);
  const cpuPercent = ((after.cpu - before.cpu) / SECONDS) * 100;
  return { cpuPercent, perStream: cpuPercent / fanout, delivered };
}

/** What a room needs from its node; only forwarding runs here (no mixer, recording or streaming). */
const config = loadConfig({});
const roomServices = {
  // One node: no conference here spreads over nodes, so no pipe is ever opened.
  pipes: {
    bus: { call: () => Promise.reject(new Error('the SFU benchmark runs one node')) },
    nodeId: 'bench',
    listenIp: '127.0.0.1',
    address: '127.0.0.1',
  },
  mixer: config.mixer,
  streaming: { caFile: config.streaming.caFile, destinations: new OutboundPolicy(config.outbound) },
  roster: () => Promise.reject(new Error('the SFU benchmark has no conference service')),
  segmentDir: os.tmpdir(),
  storeSegment: () => Promise.reject(new Error('the SFU benchmark records nothing')),
  reportStreaming: () => undefined,
  logger: createLogger('bench-sfu', 'warn'),
};

async function main() {
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const rows = [];
  for (const fanout of FANOUTS) {
    const bare = await worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { workerPid: worker.pid } });
    const bareResult = await measure(bare, () => undefined, fanout);
    bare.close();

    const inRoom = async (rtpCapabilities) => {
      const room = await ConferenceRoom.create(
        `bench-${fanout}`,
        worker,
        { listenIp: '127.0.0.1', iceConsentTimeout: 10, publishing: DEFAULT_PUBLISHING_POLICY },
        roomServices,
        () => undefined,
      );
      room.router.appData.workerPid = worker.pid;
      const result = await measure(
        room.router,
        (producer) => room.publish('bench#primary', producer),
        fanout,
        rtpCapabilities ?? room.router.rtpCapabilities,
      );
      room.close();
      return result;
    };
    const roomResult = await inRoom();
    const renumbered = await inRoom(FIREFOX_NUMBERING);
    rows.push({ fanout, bare: bareResult, room: roomResult, renumbered });
  }
  worker.close();

  const cpu = os.cpus();
  console.log(
    `machine: ${cpu.length} x ${cpu[0]?.model}; node ${process.version}; mediasoup ${mediasoup.version}`,
  );
  console.log(
    `one producer, ${PACKETS_PER_SECOND} packets/s of ${PAYLOAD.length + 12} bytes, ${SECONDS} s per run`,
  );
  console.log(
    'consumers  bare CPU%  bare %/stream  node CPU%  node %/stream  ratio  renumbered %/stream  ratio  delivered (bare/node/renumbered)',
  );
  for (const { fanout, bare, room, renumbered } of rows) {
    console.log(
      [
        String(fanout).padStart(9),
        bare.cpuPercent.toFixed(1).padStart(9),
        bare.perStream.toFixed(3).padStart(14),
        room.cpuPercent.toFixed(1).padStart(9),
        room.perStream.toFixed(3).padStart(14),
        (room.cpuPercent / bare.cpuPercent).toFixed(2).padStart(6),
        renumbered.perStream.toFixed(3).padStart(20),
        (renumbered.cpuPercent / bare.cpuPercent).toFixed(2).padStart(6),
        `  ${[bare, room, renumbered].map((r) => `${(r.delivered * 100).toFixed(1)}%`).join(' / ')}`,
      ].join(' '),
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
