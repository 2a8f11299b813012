import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorker, workerBin, type types } from 'mediasoup';
import { MEDIA_CODECS } from '@mind/sdp';

/**
 * The worker binary that deploy/mediasoup-worker/build.sh builds from the npm package's sources
 * (Debian libraries, kTLS fix) is the one mediasoup runs, and it does what the media node needs.
 */
describe('mediasoup worker built by the project', () => {
  let worker: types.Worker;

  beforeAll(async () => {
    worker = await createWorker({ logLevel: 'warn', rtcMinPort: 47000, rtcMaxPort: 47999 });
  });
  afterAll(() => worker.close());

  it('is the cached binary, not one from the npm package', () => {
    expect(workerBin).toBe(process.env.MEDIASOUP_WORKER_BIN);
    expect(workerBin).toMatch(/mediasoup-worker\/3\.19\.3-[0-9a-f]{12}\/mediasoup-worker$/);
  });

  it('creates a router with the codecs Mind clients send, and an ICE-lite WebRTC transport', async () => {
    const router = await worker.createRouter({
      mediaCodecs: [
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
        {
          kind: 'video',
          mimeType: 'video/H264',
          clockRate: 90000,
          parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
        },
      ],
    });
    expect(router.rtpCapabilities.codecs!.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264', 'video/rtx']),
    );
    const transport = await router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
      enableSctp: true,
    });
    expect(transport.iceParameters.iceLite).toBe(true);
    expect(transport.iceCandidates[0]).toMatchObject({ address: '127.0.0.1', protocol: 'udp', type: 'host' });
    expect(transport.iceCandidates[0].port).toBeGreaterThanOrEqual(47000);
    expect(transport.dtlsParameters.fingerprints.map((f) => f.algorithm)).toContain('sha-256');
    expect(transport.sctpParameters).toMatchObject({ port: 5000 });
    router.close();
    expect(transport.closed).toBe(true);
  });

  it("gives conference routers exactly the capabilities libs/sdp's unit tests use", async () => {
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const fixture = JSON.parse(
      readFileSync(join(__dirname, '../../libs/sdp/fixtures/router-capabilities.json'), 'utf8'),
    );
    expect(router.rtpCapabilities).toEqual(fixture);
    router.close();
  });

  it('forwards each subscriber the payload types and header extension ids it numbers itself', async () => {
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const uri = {
      audioLevel: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
      absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
      transportCc: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
    } as const;
    // A publisher that numbers opus 100 and the extensions 5, 6, 7.
    const ingress = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      comedia: true,
    });
    const producer = await ingress.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        headerExtensions: [
          { uri: uri.audioLevel, id: 5 },
          { uri: uri.absSendTime, id: 6 },
          { uri: uri.transportCc, id: 7 },
        ],
        encodings: [{ ssrc: 1111 }],
      },
    });
    const subscribe = async (caps: types.RtpCapabilities) => {
      const socket = createSocket('udp4');
      socket.bind(0, '127.0.0.1');
      await once(socket, 'listening');
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      });
      await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: caps });
      return { socket, consumer, packet: firstRtp(socket) };
    };
    const audioCaps = (payloadType: number, ids: Partial<Record<keyof typeof uri, number>>) => ({
      codecs: [
        {
          kind: 'audio' as const,
          mimeType: 'audio/opus',
          preferredPayloadType: payloadType,
          clockRate: 48000,
          channels: 2,
        },
      ],
      headerExtensions: Object.entries(ids).map(([name, id]) => ({
        kind: 'audio' as const,
        uri: uri[name as keyof typeof uri],
        preferredId: id,
      })),
    });
    // Firefox's numbering, without abs-send-time; and libwebrtc's, which is the Router's.
    const firefox = await subscribe(audioCaps(109, { audioLevel: 1, mid: 3, transportCc: 7 }));
    const chromium = await subscribe(
      audioCaps(111, { audioLevel: 1, absSendTime: 2, transportCc: 3, mid: 4 }),
    );
    expect(firefox.consumer.rtpParameters.codecs.map((c) => c.payloadType)).toEqual([109]);
    // (mediasoup sends no transport-cc on audio.)
    expect(firefox.consumer.rtpParameters.headerExtensions!.map((e) => [e.uri, e.id]).sort()).toEqual([
      [uri.mid, 3],
      [uri.audioLevel, 1],
    ]);

    const sender = createSocket('udp4');
    const send = setInterval(() => {
      sender.send(
        rtpPacket(100, 1111, [
          [5, [0x90]],
          [6, [1, 2, 3]],
          [7, [0, 1]],
        ]),
        ingress.tuple.localPort,
        '127.0.0.1',
      );
    }, 20);
    try {
      const [toFirefox, toChromium] = await Promise.all([firefox.packet, chromium.packet]);
      expect(toFirefox.payloadType).toBe(109);
      expect(toFirefox.extensions.get(1)).toEqual([0x90]);
      // The Router's mid (4) is Firefox's 3; the Router's 3 (transport-cc) and 2 (abs-send-time) are not
      // Firefox's: dropped, so that Firefox does not read them as something else.
      expect(toFirefox.extensions.has(3)).toBe(true);
      for (const id of [2, 4, 5, 6, 7]) expect(toFirefox.extensions.has(id)).toBe(false);
      expect(toChromium.payloadType).toBe(111);
      expect(toChromium.extensions.get(1)).toEqual([0x90]);
      expect(toChromium.extensions.has(4)).toBe(true);
    } finally {
      clearInterval(send);
      sender.close();
      firefox.socket.close();
      chromium.socket.close();
      router.close();
    }
  });

  it('reports its death when the process is killed, and a new one starts', async () => {
    const doomed = await createWorker({ logLevel: 'warn' });
    const died = new Promise<Error>((resolve) => doomed.on('died', resolve));
    process.kill(doomed.pid, 'SIGKILL');
    expect((await died).message).toContain('signal:SIGKILL');
    expect(doomed.died).toBe(true);
    const replacement = await createWorker({ logLevel: 'warn' });
    expect(replacement.pid).not.toBe(doomed.pid);
    replacement.close();
  });
});

/** An RTP packet with one-byte header extensions (id, value bytes). */
function rtpPacket(payloadType: number, ssrc: number, extensions: [number, number[]][]): Buffer {
  const elements = extensions.flatMap(([id, value]) => [(id << 4) | (value.length - 1), ...value]);
  while (elements.length % 4) elements.push(0);
  const header = Buffer.alloc(12);
  header[0] = 0x90;
  header[1] = payloadType;
  header.writeUInt16BE(Math.floor(Math.random() * 65535), 2);
  header.writeUInt32BE(Date.now() % 2 ** 32, 4);
  header.writeUInt32BE(ssrc, 8);
  const extension = Buffer.alloc(4);
  extension.writeUInt16BE(0xbede, 0);
  extension.writeUInt16BE(elements.length / 4, 2);
  return Buffer.concat([header, extension, Buffer.from(elements), Buffer.from([0xf8, 0xff, 0xfe])]);
}

/** The first RTP packet a socket receives: its payload type and one-byte extensions (padding skipped). */
async function firstRtp(socket: Socket) {
  const [message] = (await once(socket, 'message', { signal: AbortSignal.timeout(5000) })) as [Buffer];
  const extensions = new Map<number, number[]>();
  if (message[0] & 0x10) {
    const length = message.readUInt16BE(14) * 4;
    for (let at = 16; at < 16 + length;) {
      const id = message[at] >> 4;
      if (id === 0) {
        at++;
        continue;
      }
      const size = (message[at] & 0x0f) + 1;
      extensions.set(id, [...message.subarray(at + 1, at + 1 + size)]);
      at += 1 + size;
    }
  }
  return { payloadType: message[1] & 0x7f, extensions };
}
