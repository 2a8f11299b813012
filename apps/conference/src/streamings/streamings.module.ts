import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { StreamingService } from './streaming.service';

@Module({ imports: [EventsModule], providers: [StreamingService], exports: [StreamingService] })
export class StreamingsModule {}
