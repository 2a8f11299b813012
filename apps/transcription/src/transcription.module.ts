import { Module, type DynamicModule } from '@nestjs/common';
import type { SpeechEngine } from '@mind/asr';
import { infrastructureProviders, type ServiceInfrastructure } from '@mind/runtime';
import { SPEECH_ENGINE, Transcriber } from './transcriber';
import { UtteranceDelivery } from './utterance-delivery';

/** A transcription worker: participants' voices from the media nodes to utterances for the conference service. */
@Module({})
export class TranscriptionModule {
  static register(infra: ServiceInfrastructure, engine: SpeechEngine): DynamicModule {
    return {
      module: TranscriptionModule,
      providers: [
        ...infrastructureProviders(infra),
        { provide: SPEECH_ENGINE, useValue: engine },
        UtteranceDelivery,
        Transcriber,
      ],
    };
  }
}
