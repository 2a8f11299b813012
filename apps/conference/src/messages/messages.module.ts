import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { MessageService } from './message.service';

@Module({ imports: [EventsModule], providers: [MessageService], exports: [MessageService] })
export class MessagesModule {}
