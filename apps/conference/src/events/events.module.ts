import { Module } from '@nestjs/common';
import { ConferenceTransactions } from './conference-transactions';
import { OutboxRelay } from './outbox-relay';

/** Changes and their events in one transaction, and the relay of those events to JetStream. */
@Module({ providers: [OutboxRelay, ConferenceTransactions], exports: [ConferenceTransactions] })
export class EventsModule {}
