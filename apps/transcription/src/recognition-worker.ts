// The recognition thread: the configured engine, one recognition stream per voice, one request at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { LanguageNotSupportedError, type RecognitionStream } from '@mind/asr';
import type { Config } from '@mind/config';
import type { FromRecognitionThread, ToRecognitionThread } from './recognition-thread-protocol';
import { speechEngine } from './speech-engine-choice';

const engine = speechEngine(workerData as Config['transcription']);
const streams = new Map<number, RecognitionStream>();
const answer = (message: FromRecognitionThread) => parentPort!.postMessage(message);

parentPort!.on('message', (message: ToRecognitionThread) => {
  if (message.type === 'close') {
    streams.get(message.channel)?.close();
    streams.delete(message.channel);
    return;
  }
  try {
    if (message.type === 'open') {
      streams.set(message.channel, engine.open(message.language));
      return answer({ id: message.id, ok: true });
    }
    const stream = streams.get(message.channel);
    if (!stream) throw new Error('no such recognition stream');
    stream.accept(message.samples);
    answer({ id: message.id, ok: true, recognition: stream.finish() });
  } catch (error) {
    const unsupported = error instanceof LanguageNotSupportedError;
    answer({ id: message.id, ok: false, error: (error as Error).message, unsupported });
  }
});
