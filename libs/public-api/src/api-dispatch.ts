import { RPC, type ApiCommand, type ApiReply } from '@mind/contracts';
import type { ProtocolBus } from '@mind/messaging';

/** Nest injection token of the `ApiDispatch` the routes hand their calls to. */
export const API_DISPATCH = Symbol('API_DISPATCH');

/**
 * Where the routes hand a checked call: the conference service, over NATS (the gateway) or in its own
 * process (the conference service serving the API itself).
 */
export interface ApiDispatch {
  /** The call's reply; rejects when it could not be delivered or was not answered within `timeoutMs` (the bus's default when absent). */
  dispatch(command: ApiCommand, timeoutMs?: number): Promise<ApiReply>;
}

/** The gateway's dispatch: one NATS request per call, answered by any conference service instance. */
export const natsApiDispatch = (bus: ProtocolBus): ApiDispatch => ({
  dispatch: (command, timeoutMs) => bus.call(RPC.api, command, { timeoutMs }, command.operation),
});
