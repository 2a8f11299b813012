import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { authorize } from '@mind/auth';
import {
  RPC,
  errorReply,
  OPERATION_IDS,
  OPERATIONS,
  type ApiCommand,
  type ApiReply,
  type OperationId,
  type SocketAuthReply,
  type SocketAuthRequest,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { Authenticator } from '../access/authenticator';
import { ConferenceService } from '../conferences/conference.service';
import { ConferenceGoneError } from '../events/conference-transactions';
import { SipCallsService } from '../media/sip-calls.service';
import { SessionRouter } from '../media/session-router';
import { MessageService } from '../messages/message.service';
import { TranscriptionService } from '../transcription/transcription.service';
import { RecordingTranscripts } from '../recordings/recording-transcripts';
import { RecordingService } from '../recordings/recording.service';
import { ParticipantService } from '../participants/participant.service';
import { StreamingService } from '../streamings/streaming.service';
import { RpcEndpoints } from '../messaging/rpc-endpoints';
import { LOGGER } from '@mind/runtime';
import { actorOf, type OperationHandler } from './context';

/**
 * Serves the public API over NATS: one subject per operation. Every call is authenticated (401),
 * scoped to the caller's application and conference (404), checked against the conference's end and
 * the permission table (403), then handed to the service that owns the operation.
 */
@Injectable()
export class ApiDispatcher implements OnApplicationBootstrap {
  private readonly handlers: Record<Exclude<OperationId, 'createConference'>, OperationHandler>;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly conferences: ConferenceService,
    private readonly participants: ParticipantService,
    private readonly messages: MessageService,
    private readonly streamings: StreamingService,
    private readonly sip: SipCallsService,
    private readonly recordings: RecordingService,
    private readonly recordingTranscripts: RecordingTranscripts,
    private readonly transcription: TranscriptionService,
    private readonly sessions: SessionRouter,
    private readonly rpc: RpcEndpoints,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.handlers = {
      getConference: (c) => this.conferences.get(c),
      deleteConference: (c) => this.conferences.delete(c),
      updateConference: (c) => this.conferences.update(c),
      getTranscription: (c) => this.transcription.get(c),
      updateTranscription: (c) => this.transcription.update(c),
      listUtterances: (c) => this.transcription.list(c),
      getRecording: (c) => this.recordings.get(c),
      getRecordingPreview: (c) => this.recordings.preview(c),
      getRecordingTranscription: (c) => this.recordingTranscripts.get(c),
      startRecording: (c) => this.recordings.start(c),
      stopRecording: (c) => this.recordings.stop(c),
      sendMessage: (c) => this.messages.send(c),
      listParticipants: (c) => this.participants.list(c),
      createParticipant: (c) => this.participants.create(c),
      deleteParticipants: (c) => this.participants.deleteAll(c),
      getParticipant: (c) => this.participants.get(c),
      deleteParticipant: (c) => this.participants.delete(c),
      updateParticipant: (c) => this.participants.update(c),
      initiateSession: (c) => this.sessions.offer(c),
      initiateOwnSession: (c) => this.sessions.offer(c),
      dialParticipant: (c) => this.sip.dial(c),
      forwardParticipant: (c) => this.sip.forward(c),
      hangupParticipant: (c) => this.sip.hangup(c),
      listStreamings: (c) => this.streamings.list(c),
      createStreaming: (c) => this.streamings.create(c),
      deleteStreamings: (c) => this.streamings.deleteAll(c),
      getStreaming: (c) => this.streamings.get(c),
      deleteStreaming: (c) => this.streamings.delete(c),
    };
  }

  onApplicationBootstrap() {
    for (const operation of OPERATION_IDS) this.rpc.serve(RPC.api, (cmd) => this.handle(cmd), operation);
    this.rpc.serve(RPC.socketAuth, (req) => this.authorizeSocket(req));
  }

  async handle(command: ApiCommand): Promise<ApiReply> {
    const started = Date.now();
    const reply = await this.dispatch(command);
    this.logger.info(
      {
        traceId: command.traceId,
        operation: command.operation,
        status: reply.status,
        ms: Date.now() - started,
      },
      'api call',
    );
    return reply;
  }

  private async dispatch(command: ApiCommand): Promise<ApiReply> {
    const { operation, params } = command;
    const applicationId = params.applicationId ?? '';
    if (operation === 'createConference') {
      const principal = await this.authenticator.resolve(command.tokenDigest, applicationId);
      if (!principal) return errorReply(401, 'missing or invalid token');
      const decision = authorize(operation, principal);
      if (!decision.allowed) return errorReply(403, decision.error);
      return this.conferences.create({ command, principal, actor: actorOf(principal) });
    }

    const conferenceId = params.conferenceId ?? '';
    if (operation === 'sendMessage') {
      const sent = await this.sendAsPresumedCaller(command, applicationId, conferenceId);
      if (sent) return sent;
    }
    const { principal, scope } = await this.authenticator.resolveCall(
      command.tokenDigest,
      applicationId,
      conferenceId,
      params.participantId ?? null,
      OPERATIONS[operation].method === 'GET',
    );
    if (!principal) return errorReply(401, 'missing or invalid token');
    // A token is only ever valid for its own application, whatever kind of token it is.
    if (principal.applicationId !== applicationId) return errorReply(401, 'missing or invalid token');
    if (principal.kind === 'participant' && principal.conferenceId !== conferenceId) {
      return errorReply(404, 'conference not found', 'conferenceId');
    }
    if (!scope) return errorReply(404, 'conference not found', 'conferenceId');
    const { conference, participant } = scope;
    if (conference.endedAt && !('allowedAfterEnd' in OPERATIONS[operation])) {
      return errorReply(409, 'the conference has ended');
    }
    const decision = authorize(operation, principal, params.participantId, command.body);
    if (!decision.allowed) return errorReply(403, decision.error, decision.field);
    const actor = actorOf(principal);
    try {
      return await this.handlers[operation]({ command, principal, actor, conference, participant });
    } catch (error) {
      if (error instanceof ConferenceGoneError)
        return errorReply(404, 'conference not found', 'conferenceId');
      throw error;
    }
  }

  /**
   * The hot path of messages in one round trip: a caller this instance knows sends in a statement that
   * checks it still may. Null when it did not send (unknown caller, or a check failed): the call then
   * takes the whole way, which says why.
   */
  private async sendAsPresumedCaller(
    command: ApiCommand,
    applicationId: string,
    conferenceId: string,
  ): Promise<ApiReply | null> {
    const principal = await this.authenticator.presumedCaller(
      command.tokenDigest,
      applicationId,
      conferenceId,
    );
    if (!principal || !authorize('sendMessage', principal, undefined, command.body).allowed) return null;
    const scope = { conferenceId, applicationId, actor: actorOf(principal), traceId: command.traceId };
    return this.messages.sendAs(command, principal, scope).catch((error: unknown) => {
      if (error instanceof ConferenceGoneError) return null;
      throw error;
    });
  }

  private async authorizeSocket(req: SocketAuthRequest): Promise<SocketAuthReply> {
    const { principal, scope } = await this.authenticator.resolveCall(
      req.tokenDigest,
      req.applicationId,
      req.conferenceId,
      null,
    );
    if (!principal) return { status: 401, error: 'missing or invalid token' };
    if (principal.applicationId !== req.applicationId)
      return { status: 401, error: 'missing or invalid token' };
    if (principal.kind !== 'application')
      return { status: 403, error: 'only the application may open this socket' };
    if (!scope) return { status: 404, error: 'conference not found' };
    return { status: 200, ended: scope.conference.endedAt !== null };
  }
}
