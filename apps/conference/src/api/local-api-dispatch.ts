import { Inject, Injectable } from '@nestjs/common';
import { RPC, type ApiCommand, type ApiReply } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import type { ApiDispatch } from '@mind/public-api';
import { LOGGER } from '@mind/runtime';
import { ApiDispatcher } from './api-dispatcher';

/**
 * The calls of the API this service serves itself (`MIND_CONFERENCE_API_PORT`): run here, with the
 * answers a call over NATS would get, a failed call included.
 */
@Injectable()
export class LocalApiDispatch implements ApiDispatch {
  constructor(
    private readonly dispatcher: ApiDispatcher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async dispatch(command: ApiCommand): Promise<ApiReply> {
    try {
      return await this.dispatcher.handle(command);
    } catch (error) {
      this.logger.error(
        { err: error, traceId: command.traceId, operation: command.operation },
        'api call failed',
      );
      return RPC.api.fault;
    }
  }
}
