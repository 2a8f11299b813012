import { Module, type DynamicModule } from '@nestjs/common';
import { infrastructureProviders, type ServiceInfrastructure } from '@mind/runtime';
import type { Recogniser } from './recogniser';
import { RECOGNISER, Transcriber } from './transcriber';
import { UtteranceDelivery } from './utterance-delivery';

/** A transcription worker: participants' voices from the media nodes to utterances for the conference service. */
@Module({})
export class TranscriptionModule {
  static register(infra: ServiceInfrastructure, recogniser: Recogniser): DynamicModule {
    return {
      module: TranscriptionModule,
      providers: [
        ...infrastructureProviders(infra),
        { provide: RECOGNISER, useValue: recogniser },
        UtteranceDelivery,
        Transcriber,
      ],
    };
  }
}
