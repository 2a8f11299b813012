import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  entersMix,
  errorReply,
  resourceChanged,
  RPC,
  utteranceRecognised,
  type ApiReply,
  type TranscriberHeartbeat,
  type UpdateTranscriptionRequest,
  type UtteranceReply,
  type UtteranceReport,
  type UtteranceResource,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { liveTranscribers, ProtocolBus, type LivePeers } from '@mind/messaging';
import { LOGGER } from '@mind/runtime';
import { ok, scopeOf, type CallContext } from '../api/context';
import { ConferenceEntity, ParticipantEntity } from '../database/entities';
import { ConferenceTransactions } from '../events/conference-transactions';
import { RpcEndpoints } from '../messaging/rpc-endpoints';

interface UtteranceRow {
  id: string;
  participant_id: string;
  started_at: string;
  text: string;
}

const toUtterance = (row: UtteranceRow): UtteranceResource => ({
  id: row.id,
  timestamp: Number(row.started_at),
  participantId: row.participant_id,
  text: row.text,
});

/**
 * Live transcription (routes 10, 11) and what participants said: the transcription workers report each
 * utterance here; it is stored (for the recording's transcript too) and, when live transcription was
 * started, notified to the application and listed on `{c}/transcription/utterances`.
 */
@Injectable()
export class TranscriptionService implements OnApplicationBootstrap, OnApplicationShutdown {
  /** The transcription workers alive now and their languages: who can be transcribed. */
  private readonly transcribers: LivePeers<TranscriberHeartbeat>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: ConferenceTransactions,
    private readonly rpc: RpcEndpoints,
    bus: ProtocolBus,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.transcribers = liveTranscribers(bus, logger);
  }

  onApplicationBootstrap() {
    this.rpc.serve(RPC.utterance, (report) => this.recognised(report));
    this.transcribers.start();
  }

  onApplicationShutdown() {
    this.transcribers.stop();
  }

  /**
   * The state, and (extension) which participants whose voice enters the mix cannot be transcribed
   * now, and why: a language no running worker has a model for, or no worker at all.
   */
  async get(ctx: CallContext): Promise<ApiReply> {
    const participants = await this.dataSource.manager.find(ParticipantEntity, {
      where: { conferenceId: ctx.conference.id, online: true },
      order: { joinedSeq: 'ASC' },
    });
    const languages = new Set(this.transcribers.all().flatMap((worker) => worker.languages));
    const notTranscribed = participants
      .filter((participant) => entersMix(participant.role, 'primary') && !languages.has(participant.language))
      .map((participant) => ({
        participantId: participant.id,
        reason:
          languages.size === 0
            ? 'no transcription worker is running'
            : `no transcription worker has a speech model for "${participant.language}"`,
      }));
    return ok({ started: ctx.conference.transcriptionStarted, notTranscribed });
  }

  async update(ctx: CallContext): Promise<ApiReply> {
    const { started } = ctx.command.body as UpdateTranscriptionRequest;
    const state = await this.transactions.run(ctx.conference.id, async (m, emit) => {
      const conference = await m.findOneBy(ConferenceEntity, { id: ctx.conference.id });
      if (!conference) return null;
      if (started == null || started === conference.transcriptionStarted) {
        return { started: conference.transcriptionStarted };
      }
      await m.update(ConferenceEntity, { id: conference.id }, { transcriptionStarted: started });
      emit(
        resourceChanged(scopeOf(ctx), {
          resource: 'transcription',
          type: 'updated',
          transcription: { started },
        }),
      );
      return { started };
    });
    return state ? ok(state) : errorReply(404, 'conference not found');
  }

  /** Independent of other changes (a new resource), so it takes the conference's lock shared. */
  async recognised(report: UtteranceReport): Promise<UtteranceReply> {
    const id = randomUUID();
    const stored = await this.transactions.run(
      report.conferenceId,
      async (m, emit) => {
        const [conference] = (await m.query(
          `SELECT application_id, transcription_started AND ended_at IS NULL AS live
             FROM conference WHERE id = $1`,
          [report.conferenceId],
        )) as { application_id: string; live: boolean }[];
        if (!conference) return false;
        await m.query(
          `INSERT INTO utterance (id, conference_id, participant_id, started_at, ended_at, text, live)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            id,
            report.conferenceId,
            report.participantId,
            report.startedAt,
            report.endedAt,
            report.text,
            conference.live,
          ],
        );
        if (conference.live) {
          const scope = { conferenceId: report.conferenceId, applicationId: conference.application_id };
          emit(
            utteranceRecognised(scope, {
              id,
              timestamp: report.startedAt,
              participantId: report.participantId,
              text: report.text,
            }),
          );
        }
        return true;
      },
      'shared',
    );
    return { status: stored ? 200 : 404 };
  }

  /**
   * Live transcription's utterances after `since`, in the order they were said: `limit` of them, and
   * those that share the last one's timestamp, so that a reader paging with `since` misses none.
   */
  async list(ctx: CallContext): Promise<ApiReply> {
    const { since = 0, limit = 100 } = ctx.command.query;
    const rows = (await this.dataSource.query(
      `WITH page AS (
         SELECT started_at FROM utterance
          WHERE conference_id = $1 AND live AND started_at > $2
          ORDER BY started_at, id LIMIT $3)
       SELECT id, participant_id, started_at, text FROM utterance
        WHERE conference_id = $1 AND live AND started_at > $2
          AND started_at <= (SELECT max(started_at) FROM page)
        ORDER BY started_at, id`,
      [ctx.conference.id, since, limit],
    )) as UtteranceRow[];
    return ok(rows.map(toUtterance));
  }
}
