import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ParticipantService } from './participant.service';

@Module({ imports: [EventsModule], providers: [ParticipantService], exports: [ParticipantService] })
export class ParticipantsModule {}
