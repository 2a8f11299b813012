import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LanguageNotSupportedError } from '@mind/asr';
import type { Config } from '@mind/config';
import {
  EVENT,
  RPC,
  TRANSCRIBER_HEARTBEAT_MS,
  type Language,
  type MediaNodeHeartbeat,
  type StopTranscribingReply,
  type StopTranscribingRequest,
  type TranscribeReply,
  type TranscribeRequest,
  type TranscriberHeartbeat,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { liveMediaNodes, ProtocolBus, type LivePeers, type Unsubscribable } from '@mind/messaging';
import { CONFIG, LOGGER } from '@mind/runtime';
import { meter } from '@mind/telemetry';
import type { Recogniser } from './recogniser';
import { UtteranceDelivery } from './utterance-delivery';
import { VoiceStream } from './voice-stream';

export const RECOGNISER = Symbol('RECOGNISER');

/**
 * A transcription worker: takes the voices media nodes send it (one UDP port per voice), up to its
 * capacity, and reports what they say. It announces itself with its languages and load every second;
 * the streams of a media node that is gone are ended, the node's replacement sends them again.
 */
@Injectable()
export class Transcriber implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly incarnation = randomUUID();
  private readonly streams = new Map<string, { stream: VoiceStream; request: TranscribeRequest }>();
  private readonly mediaNodes: LivePeers<MediaNodeHeartbeat>;
  private subscriptions: Unsubscribable[] = [];
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly bus: ProtocolBus,
    private readonly delivery: UtteranceDelivery,
    @Inject(RECOGNISER) private readonly recogniser: Recogniser,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.mediaNodes = liveMediaNodes(bus, logger);
    this.mediaNodes.onGone((node) => this.endStreamsOf(node.nodeId, node.incarnation));
    meter()
      .createObservableGauge('mind.transcription.streams', { description: 'Voices being transcribed' })
      .addCallback((result) => result.observe(this.streams.size));
  }

  private get settings() {
    return this.config.transcription;
  }

  onApplicationBootstrap() {
    const { transcriberId } = this.settings;
    const queue = `transcription-${transcriberId}`;
    this.subscriptions = [
      this.bus.serve(RPC.transcribe, queue, (request) => this.transcribe(request), transcriberId),
      this.bus.serve(RPC.stopTranscribing, queue, async (request) => this.stop(request), transcriberId),
    ];
    this.mediaNodes.start();
    this.beat();
    this.heartbeat = setInterval(() => this.beat(), TRANSCRIBER_HEARTBEAT_MS);
  }

  async onApplicationShutdown() {
    clearInterval(this.heartbeat);
    // The media nodes move the voices elsewhere at once.
    this.beat(true);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.mediaNodes.stop();
    await Promise.all([...this.streams.values()].map(({ stream }) => stream.stop()));
    this.streams.clear();
    await this.delivery.drain();
    await this.recogniser.close();
  }

  private async transcribe(request: TranscribeRequest): Promise<TranscribeReply> {
    if (this.streams.size >= this.settings.maxStreams) {
      return { status: 503, error: `this transcriber is full (${this.settings.maxStreams} voices)` };
    }
    const logger = this.logger.child({
      conferenceId: request.conferenceId,
      participantId: request.participantId,
    });
    try {
      const stream = await VoiceStream.open(
        this.settings.listenIp,
        request,
        this.recogniser,
        (utterance) => this.delivery.send(utterance),
        logger,
      );
      this.streams.set(stream.id, { stream, request });
      logger.info({ streamId: stream.id, port: stream.port }, 'transcribing a voice');
      return {
        status: 200,
        streamId: stream.id,
        ip: this.settings.announcedAddress ?? this.settings.listenIp,
        port: stream.port,
      };
    } catch (error) {
      if (error instanceof LanguageNotSupportedError) return { status: 422, error: error.message };
      throw error;
    }
  }

  private stop({ streamId }: StopTranscribingRequest): StopTranscribingReply {
    const entry = this.streams.get(streamId);
    if (!entry) return { status: 404 };
    this.streams.delete(streamId);
    void entry.stream.stop();
    return { status: 200 };
  }

  private endStreamsOf(nodeId: string, incarnation: string) {
    for (const [id, { stream, request }] of this.streams) {
      if (request.nodeId !== nodeId || request.incarnation !== incarnation) continue;
      this.streams.delete(id);
      void stream.stop();
    }
  }

  private beat(leaving = false) {
    const heartbeat: TranscriberHeartbeat = {
      transcriberId: this.settings.transcriberId,
      incarnation: this.incarnation,
      languages: this.recogniser.languages as Language[],
      load: { streams: this.streams.size, capacity: this.settings.maxStreams },
      at: Date.now(),
      ...(leaving ? { leaving } : {}),
    };
    this.bus.broadcast(EVENT.transcriberHeartbeat, heartbeat);
  }
}
