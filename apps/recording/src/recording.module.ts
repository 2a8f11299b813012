import { Module, type DynamicModule } from '@nestjs/common';
import { infrastructureProviders, type ServiceInfrastructure } from '@mind/runtime';
import { createStorage } from '@mind/storage';
import { finaliseRecording } from './finalise-recording';
import { RECORDING_MAKER, RecordingJobs, type RecordingMaker } from './recording-jobs';
import { RecordingWorker } from './recording-worker';

/** The recording worker: BullMQ jobs made into MP4, JPEG and WebP by ffmpeg, into object storage. */
@Module({})
export class RecordingModule {
  static register(infra: ServiceInfrastructure): DynamicModule {
    const storage = createStorage(infra.config.storage);
    const maker: RecordingMaker = { make: (job) => finaliseRecording(job, storage) };
    return {
      module: RecordingModule,
      providers: [
        ...infrastructureProviders(infra),
        { provide: RECORDING_MAKER, useValue: maker },
        RecordingJobs,
        RecordingWorker,
      ],
    };
  }
}
