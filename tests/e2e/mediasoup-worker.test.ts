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
