import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { TranscriptionService } from './transcription.service';

/** Utterances reported by the transcription workers: stored, notified, listed. */
@Module({ imports: [EventsModule], providers: [TranscriptionService], exports: [TranscriptionService] })
export class TranscriptionModule {}
