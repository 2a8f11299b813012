import type { types } from 'mediasoup';
import {
  RPC,
  type ConferenceId,
  type MediaPipeReply,
  type MediaPipeRequest,
  type NodeId,
  type PipedStream,
  type PipedStreamReply,
  type PipedStreamState,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import type { ProtocolBus } from '@mind/messaging';

/** What the pipes need of their room: its router, and where streams from other nodes go. */
export interface PipedRoom {
  conferenceId: ConferenceId;
  router: types.Router;
  /** Publishes a stream that arrived from another node (it is not sent on to any node). */
  adopt(key: string, producer: types.Producer): void;
  /** The streams this node's own participants publish now, to send to a node that joins. */
  ownStreams(): [key: string, producer: types.Producer][];
}

/** This node's end of a pipe to one other node of the conference. */
interface Link {
  transport: types.PipeTransport;
  /** Streams the other node sent over it, by producer id. */
  received: Map<string, types.Producer>;
  /** Streams sent to it, by producer id. */
  sent: Map<string, types.Consumer>;
}

/**
 * A conference's media shared with the other media nodes holding its sessions (a conference larger
 * than one node's share): one mediasoup PipeTransport per other node, over which each node sends
 * what its own participants publish, produced on the other side with the same producer id. Pause,
 * resume and end follow by RPC; a node that is gone takes its streams with it. Every node of the
 * conference has every stream, so each serves its subscribers and its own mixer alone.
 */
export class ConferencePipes {
  private readonly links = new Map<NodeId, Promise<Link>>();
  private closed = false;

  constructor(
    private readonly room: PipedRoom,
    private readonly bus: ProtocolBus,
    private readonly self: { nodeId: NodeId; listenIp: string; address: string },
    private readonly logger: Logger,
  ) {}

  /** Joins the nodes not joined yet (the new node of a pair opens the pipe). */
  connect(peers: NodeId[]): void {
    for (const peer of peers) {
      if (peer === this.self.nodeId || this.links.has(peer)) continue;
      const link = this.open(peer);
      this.links.set(peer, link);
      link.then(
        (opened) => this.sendAll(peer, opened),
        (error) => {
          if (this.links.get(peer) === link) this.links.delete(peer);
          this.logger.warn({ err: error, peer, conferenceId: this.room.conferenceId }, 'pipe not opened');
        },
      );
    }
  }

  /** Another node opens a pipe to this one. */
  async accept(request: MediaPipeRequest): Promise<MediaPipeReply> {
    if (this.closed) return { status: 404, error: 'the conference is not on this node' };
    const existing = this.links.get(request.fromNodeId);
    // Two nodes opening to each other at once: the pipe the node with the smaller id opens is kept.
    if (existing && this.self.nodeId < request.fromNodeId)
      return { status: 409, error: 'a pipe between these nodes is open or opening the other way' };
    existing?.then(
      (old) => old.transport.close(),
      () => undefined,
    );
    const transport = await this.createTransport(request.fromNodeId);
    await transport.connect({ ip: request.ip, port: request.port });
    const link: Link = { transport, received: new Map(), sent: new Map() };
    this.links.set(request.fromNodeId, Promise.resolve(link));
    this.sendAll(request.fromNodeId, link);
    return { status: 200, ip: this.self.address, port: transport.tuple.localPort };
  }

  /** A stream another node sends: produced here with the same id and published in the room. */
  async receive(stream: PipedStream): Promise<PipedStreamReply> {
    const link = await this.links.get(stream.fromNodeId)?.catch(() => undefined);
    if (!link) return { status: 404, error: 'no pipe from that node' };
    const producer = await link.transport.produce({
      id: stream.producerId,
      kind: stream.kind,
      rtpParameters: stream.rtpParameters as unknown as types.RtpParameters,
      paused: stream.paused,
      appData: { piped: true, fromNodeId: stream.fromNodeId },
    });
    link.received.set(producer.id, producer);
    producer.observer.once('close', () => link.received.delete(producer.id));
    this.room.adopt(stream.key, producer);
    return { status: 200 };
  }

  async update(state: PipedStreamState): Promise<PipedStreamReply> {
    const link = await this.links.get(state.fromNodeId)?.catch(() => undefined);
    const producer = link?.received.get(state.producerId);
    if (!producer) return { status: 404, error: 'no such piped stream' };
    if (state.state === 'closed') producer.close();
    else if (state.state === 'paused') await producer.pause();
    else await producer.resume();
    return { status: 200 };
  }

  /** A stream one of this node's participants publishes, sent to every other node. */
  share(key: string, producer: types.Producer): void {
    for (const [peer, link] of this.links)
      void link.then(
        (opened) => this.send(peer, opened, key, producer),
        () => undefined,
      );
  }

  /** A node that is gone: its pipe, and the streams it sent, end. */
  peerGone(nodeId: NodeId): void {
    const link = this.links.get(nodeId);
    if (!link) return;
    this.links.delete(nodeId);
    void link.then(
      (opened) => opened.transport.close(),
      () => undefined,
    );
  }

  close(): void {
    this.closed = true;
    for (const nodeId of [...this.links.keys()]) this.peerGone(nodeId);
  }

  private async open(peer: NodeId): Promise<Link> {
    const transport = await this.createTransport(peer);
    try {
      const reply = await this.bus.call(
        RPC.mediaPipe,
        {
          conferenceId: this.room.conferenceId,
          fromNodeId: this.self.nodeId,
          ip: this.self.address,
          port: transport.tuple.localPort,
        },
        {},
        peer,
      );
      if (reply.status !== 200) throw new Error(reply.error);
      await transport.connect({ ip: reply.ip, port: reply.port });
      return { transport, received: new Map(), sent: new Map() };
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  private createTransport(peer: NodeId): Promise<types.PipeTransport> {
    // Retransmissions over the pipe: a loss between nodes is repaired as on a client's leg.
    return this.room.router.createPipeTransport({
      listenInfo: { protocol: 'udp', ip: this.self.listenIp, announcedAddress: this.self.address },
      enableRtx: true,
      appData: { peer },
    });
  }

  private sendAll(peer: NodeId, link: Link) {
    for (const [key, producer] of this.room.ownStreams()) void this.send(peer, link, key, producer);
  }

  private async send(peer: NodeId, link: Link, key: string, producer: types.Producer) {
    if (producer.closed || link.sent.has(producer.id)) return;
    const { conferenceId } = this.room;
    const base = { conferenceId, fromNodeId: this.self.nodeId, producerId: producer.id };
    try {
      const consumer = await link.transport.consume({ producerId: producer.id });
      link.sent.set(producer.id, consumer);
      const tell = (state: PipedStreamState['state']) =>
        void this.bus
          .call(RPC.pipedStreamState, { ...base, state }, {}, peer)
          .catch((error) =>
            this.logger.debug({ err: error, peer, conferenceId }, 'piped stream state not told'),
          );
      consumer.on('producerpause', () => tell('paused'));
      consumer.on('producerresume', () => tell('resumed'));
      consumer.observer.once('close', () => {
        link.sent.delete(producer.id);
        // Not when the pipe itself closed: the other side's streams ended with it.
        if (!link.transport.closed) tell('closed');
      });
      const reply = await this.bus.call(
        RPC.pipedStream,
        {
          ...base,
          key,
          kind: producer.kind,
          rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
          paused: consumer.producerPaused,
        },
        {},
        peer,
      );
      if (reply.status !== 200) throw new Error(reply.error);
    } catch (error) {
      link.sent.get(producer.id)?.close();
      if (!producer.closed && !link.transport.closed)
        this.logger.warn({ err: error, peer, conferenceId, key }, 'stream not piped');
    }
  }
}
