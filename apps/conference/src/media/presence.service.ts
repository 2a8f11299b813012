import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  RPC,
  type PresenceReply,
  type PresenceReport,
  type SipGatewayHeartbeat,
  type TraceId,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { liveSipGateways, ProtocolBus, type LivePeers } from '@mind/messaging';
import { ConferenceEntity, ParticipantEntity } from '../database/entities';
import { ConferenceTransactions, type Emit } from '../events/conference-transactions';
import { participantChanged } from '../participants/participant-events';
import { RpcEndpoints } from '../messaging/rpc-endpoints';
import { CONFIG, LOGGER } from '@mind/runtime';
import type { Config } from '@mind/config';
import { MediaNodeRegistry } from './media-node-registry';

const OFFLINE = { online: false, audio: false, video: false, secondaryAudio: false, secondaryVideo: false };

/**
 * Presence and media flags follow what media nodes report about WebRTC sessions and SIP gateways
 * about phone lines. Each change is one `updated /participants/{id}` event made by the participant
 * itself (so it is never told about it). A report from a replaced session cannot take the participant
 * offline, and when a media node or a SIP gateway dies, restarts or leaves, the participants whose
 * sessions it held go offline (a media node's after the reconnect window).
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sipGateways: LivePeers<SipGatewayHeartbeat>;
  private readonly windows = new Set<NodeJS.Timeout>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: ConferenceTransactions,
    private readonly registry: MediaNodeRegistry,
    private readonly rpc: RpcEndpoints,
    bus: ProtocolBus,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.sipGateways = liveSipGateways(bus, logger);
  }

  onApplicationBootstrap() {
    this.rpc.serve(RPC.presence, (report, traceId) => this.report(report, traceId));
    // A media node's participants get the reconnect window their clients have when their own
    // connection fails: one whose client re-offers in time (to another node) is never seen leaving.
    this.registry.onNodeGone((_nodeId, incarnation) => {
      const window = setTimeout(() => {
        this.windows.delete(window);
        void this.sessionsGone(incarnation);
      }, this.config.media.reconnectWindowMs);
      this.windows.add(window);
    });
    this.sipGateways.onGone((gateway) => void this.sessionsGone(gateway.incarnation));
    this.sipGateways.start();
  }

  onApplicationShutdown() {
    this.sipGateways.stop();
    for (const window of this.windows) clearTimeout(window);
  }

  async report(report: PresenceReport, traceId?: TraceId): Promise<PresenceReply> {
    const found = await this.transactions.run(report.conferenceId, async (m, emit) => {
      const conference = await m.findOneBy(ConferenceEntity, { id: report.conferenceId });
      const participant = await m.findOneBy(ParticipantEntity, {
        id: report.participantId,
        conferenceId: report.conferenceId,
      });
      if (!conference || conference.endedAt || !participant) return false;
      if (!report.online && participant.sessionId !== report.sessionId) return true;
      const next = {
        online: report.online,
        audio: report.online && report.media.audio,
        video: report.online && report.media.video,
        secondaryAudio: report.online && report.secondaryMedia.audio,
        secondaryVideo: report.online && report.secondaryMedia.video,
        sessionId: report.sessionId,
      };
      const differs = (key: keyof typeof next) => participant[key] !== next[key];
      const keys = Object.keys(next) as (keyof typeof next)[];
      if (!keys.some(differs)) return true;
      // A new session that finds the participant as it was (a client that recovered) is not news.
      const seen = keys.some((key) => key !== 'sessionId' && differs(key));
      await m.update(ParticipantEntity, { id: participant.id }, next);
      Object.assign(participant, next);
      if (seen) this.emitUpdated(emit, conference.applicationId, participant, traceId);
      return true;
    });
    return { status: found ? 200 : 404 };
  }

  /**
   * Sessions are named `<incarnation>:<ice ufrag or Call-ID>`: everything of a dead incarnation (a
   * media node's or a SIP gateway's) goes offline.
   */
  private async sessionsGone(incarnation: string) {
    try {
      const stale: { id: string; conference_id: string }[] = await this.dataSource.query(
        `SELECT id, conference_id FROM participant WHERE online AND session_id LIKE $1`,
        [`${incarnation}:%`],
      );
      for (const { id, conference_id: conferenceId } of stale) {
        await this.transactions.run(conferenceId, async (m, emit) => {
          const participant = await m.findOneBy(ParticipantEntity, { id });
          const conference = await m.findOneBy(ConferenceEntity, { id: conferenceId });
          if (!conference || !participant?.online || !participant.sessionId?.startsWith(`${incarnation}:`))
            return;
          await m.update(ParticipantEntity, { id }, OFFLINE);
          Object.assign(participant, OFFLINE);
          this.emitUpdated(emit, conference.applicationId, participant);
        });
      }
    } catch (error) {
      this.logger.error(
        { err: error, incarnation },
        'could not mark the sessions of a dead media node or SIP gateway offline',
      );
    }
  }

  private emitUpdated(emit: Emit, applicationId: string, participant: ParticipantEntity, traceId?: TraceId) {
    const actor = { kind: 'participant', id: participant.id } as const;
    emit(
      participantChanged(
        { conferenceId: participant.conferenceId, applicationId, actor, traceId },
        participant,
        'updated',
      ),
    );
  }
}
