export * from './nats';
export type { NatsConnection } from 'nats';
export * from './live-peers';
