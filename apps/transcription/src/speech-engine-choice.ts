import { PocketSphinxEngine, SherpaOnnxEngine, type SpeechEngine } from '@mind/asr';
import type { Config } from '@mind/config';

/** The engine `MIND_TRANSCRIPTION_ENGINE` names, with the models `MIND_TRANSCRIPTION_MODELS` gives. */
export function speechEngine(settings: Config['transcription']): SpeechEngine {
  const configured = Object.keys(settings.models).length > 0;
  if (settings.engine === 'sherpa-onnx') return new SherpaOnnxEngine({ models: settings.models });
  return configured ? new PocketSphinxEngine({ models: settings.models }) : new PocketSphinxEngine();
}

/**
 * The engine, with its models checked before the worker serves: a missing or unusable model stops
 * the start with a `ModelMissingError` that names it. Answers the languages it has models for.
 */
export async function verifySpeechEngine(settings: Config['transcription']): Promise<readonly string[]> {
  const engine = speechEngine(settings);
  if (engine instanceof SherpaOnnxEngine) await engine.verify();
  else for (const language of engine.languages) engine.open(language).close();
  return engine.languages;
}
