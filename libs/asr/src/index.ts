export * from './speech-engine';
export * from './pocketsphinx-engine';
export * from './sherpa-onnx-engine';
export * from './voice-activity';
export * from './band-fill';
export * from './stream-transcriber';
export * from './word-error-rate';
export * from './opus-decoder';
