import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ConferencesModule } from '../conferences/conferences.module';
import { MediaModule } from '../media/media.module';
import { MessagesModule } from '../messages/messages.module';
import { ParticipantsModule } from '../participants/participants.module';
import { RecordingsModule } from '../recordings/recordings.module';
import { StreamingsModule } from '../streamings/streamings.module';
import { TranscriptionModule } from '../transcription/transcription.module';
import { ApiDispatcher } from './api-dispatcher';
import { LocalApiDispatch } from './local-api-dispatch';

/** The public API's operations, served over NATS (and in process): authenticated, authorised, run by their module. */
@Module({
  imports: [
    AccessModule,
    ConferencesModule,
    ParticipantsModule,
    MessagesModule,
    StreamingsModule,
    MediaModule,
    RecordingsModule,
    TranscriptionModule,
  ],
  providers: [ApiDispatcher, LocalApiDispatch],
  exports: [LocalApiDispatch],
})
export class ApiModule {}
