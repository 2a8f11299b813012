import type { Provider } from '@nestjs/common';
import type { Config } from '@mind/config';
import type { Logger } from '@mind/logging';
import { ProtocolBus } from '@mind/messaging';

/** Nest injection tokens of what every service's process brings up before Nest: its configuration and logger. */
export const CONFIG = Symbol('CONFIG');
export const LOGGER = Symbol('LOGGER');

/** What a service's process brings up before Nest: configuration, logger and the protocol bus. */
export interface ServiceInfrastructure {
  config: Config;
  logger: Logger;
  bus: ProtocolBus;
}

/** The providers of a service's infrastructure, for its root module. */
export const infrastructureProviders = (infra: ServiceInfrastructure): Provider[] => [
  { provide: CONFIG, useValue: infra.config },
  { provide: LOGGER, useValue: infra.logger },
  { provide: ProtocolBus, useValue: infra.bus },
];
