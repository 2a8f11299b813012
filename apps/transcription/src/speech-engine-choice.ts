import { PocketSphinxEngine, SherpaOnnxEngine, type SpeechEngine } from '@mind/asr';
import type { Config } from '@mind/config';

/**
 * The engine `MIND_TRANSCRIPTION_ENGINE` names, with its models checked before the worker serves: a
 * missing or unusable model stops the start with a `ModelMissingError` that names it.
 */
export async function chooseSpeechEngine(settings: Config['transcription']): Promise<SpeechEngine> {
  const configured = Object.keys(settings.models).length > 0;
  if (settings.engine === 'sherpa-onnx') {
    const engine = new SherpaOnnxEngine({ models: settings.models });
    await engine.verify();
    return engine;
  }
  const engine = configured ? new PocketSphinxEngine({ models: settings.models }) : new PocketSphinxEngine();
  for (const language of engine.languages) engine.open(language).close();
  return engine;
}
