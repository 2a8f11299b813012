import { once } from 'node:events';
import pino from 'pino';
import { createWorker, type types } from 'mediasoup';
import { RPC, type MediaPipeRequest, type PipedStream, type PipedStreamState } from '@mind/contracts';
import type { ProtocolBus } from '@mind/messaging';
import { serializeRtp } from '@mind/rtp';
import { MEDIA_CODECS } from '@mind/sdp';
import { ConferencePipes, type PipedRoom } from './conference-pipes';

/**
 * Two nodes of one conference in one process: real mediasoup routers and pipe transports over
 * loopback (the worker `deploy/mediasoup-worker` builds, as MEDIASOUP_WORKER_BIN), the RPCs between
 * the nodes handed across directly.
 */
describe('pipes between the nodes of a spread conference', () => {
  // A worker per node: a piped stream keeps its producer id, which is unique per worker (per node).
  const workers: types.Worker[] = [];
  beforeAll(async () => {
    if (!process.env.MEDIASOUP_WORKER_BIN)
      throw new Error(
        'needs MEDIASOUP_WORKER_BIN=$(bash deploy/mediasoup-worker/build.sh --path), as npm test sets',
      );
    for (let i = 0; i < 2; i++)
      workers.push(await createWorker({ logLevel: 'warn', rtcMinPort: 46000, rtcMaxPort: 46999 }));
  });
  afterAll(() => workers.forEach((worker) => worker.close()));

  interface Node {
    pipes: ConferencePipes;
    router: types.Router;
    adopted: Map<string, types.Producer>;
    own: [string, types.Producer][];
  }

  async function twoNodes(): Promise<[Node, Node]> {
    const nodes = new Map<string, Node>();
    const bus = {
      call: async (rpc: unknown, request: unknown, _options: unknown, key: string) => {
        const to = nodes.get(key)!.pipes;
        if (rpc === RPC.mediaPipe) return to.accept(request as MediaPipeRequest);
        if (rpc === RPC.pipedStream) return to.receive(request as PipedStream);
        if (rpc === RPC.pipedStreamState) return to.update(request as PipedStreamState);
        throw new Error('unexpected RPC');
      },
    } as unknown as ProtocolBus;
    for (const [index, nodeId] of ['a', 'b'].entries()) {
      const router = await workers[index]!.createRouter({ mediaCodecs: MEDIA_CODECS });
      const node = { router, adopted: new Map(), own: [] } as unknown as Node;
      const room: PipedRoom = {
        conferenceId: 'c1',
        router,
        adopt: (key, producer) => node.adopted.set(key, producer),
        ownStreams: () => node.own,
      };
      node.pipes = new ConferencePipes(
        room,
        bus,
        { nodeId, listenIp: '127.0.0.1', address: '127.0.0.1' },
        pino({ level: 'silent' }),
      );
      nodes.set(nodeId, node);
    }
    return [nodes.get('a')!, nodes.get('b')!];
  }

  const opus = {
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc: 1111 }],
  };

  async function publish(node: Node, key: string) {
    const transport = await node.router.createDirectTransport();
    const producer = await transport.produce({ kind: 'audio', rtpParameters: opus });
    node.own.push([key, producer]);
    node.pipes.share(key, producer);
    return producer;
  }

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(check()).toBe(true);
  };

  it('a node that joins gets what the other publishes already, and each sends what it publishes later, with media flowing', async () => {
    const [a, b] = await twoNodes();
    const early = await publish(a, 'ann#primary');
    b.pipes.connect(['a']);
    await until(() => b.adopted.has('ann#primary'));
    expect(b.adopted.get('ann#primary')!.id).toBe(early.id);

    const late = await publish(b, 'bob#primary');
    await until(() => a.adopted.has('bob#primary'));
    expect(a.adopted.get('bob#primary')!.id).toBe(late.id);

    // RTP sent on node a comes out of the piped producer on node b.
    const out = await b.router.createDirectTransport();
    const consumer = await out.consume({
      producerId: early.id,
      rtpCapabilities: b.router.rtpCapabilities,
    });
    await consumer.resume();
    const received = once(consumer, 'rtp');
    for (let sequence = 1; sequence < 5; sequence++)
      early.send(
        serializeRtp(
          { payloadType: 111, marker: false, sequence, timestamp: sequence * 960, ssrc: 1111 },
          Buffer.from([0xf8, 0xff, 0xfe]),
        ),
      );
    const [packet] = (await received) as [Buffer];
    expect(packet.length).toBeGreaterThan(12);
    a.pipes.close();
    b.pipes.close();
  });

  it('pause, resume and end at the source follow on the other node; a node that is gone takes its streams', async () => {
    const [a, b] = await twoNodes();
    b.pipes.connect(['a']);
    const source = await publish(a, 'ann#primary');
    await until(() => b.adopted.has('ann#primary'));
    const piped = b.adopted.get('ann#primary')!;
    await source.pause();
    await until(() => piped.paused);
    await source.resume();
    await until(() => !piped.paused);
    source.close();
    await until(() => piped.closed);

    const other = await publish(a, 'cat#primary');
    await until(() => b.adopted.has('cat#primary'));
    b.pipes.peerGone('a');
    await until(() => b.adopted.get('cat#primary')!.closed);
    expect(other.closed).toBe(false);
    a.pipes.close();
    b.pipes.close();
  });

  it('two nodes opening to each other at once end with one pipe that carries both ways', async () => {
    const [a, b] = await twoNodes();
    await publish(a, 'ann#primary');
    await publish(b, 'bob#primary');
    a.pipes.connect(['b']);
    b.pipes.connect(['a']);
    await until(() => a.adopted.has('bob#primary') && b.adopted.has('ann#primary'));
    const late = await publish(b, 'cat#primary');
    await until(() => a.adopted.get('cat#primary')?.id === late.id);
    a.pipes.close();
    b.pipes.close();
  });
});
