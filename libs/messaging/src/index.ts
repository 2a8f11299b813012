export * from './nats';
export type { NatsConnection } from 'nats';
