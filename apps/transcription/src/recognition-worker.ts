// The recognition thread: the configured engine, one recognition stream per voice, messages in order.
import { parentPort, workerData } from 'node:worker_threads';
import { LanguageNotSupportedError, type RecognitionStream } from '@mind/asr';
import type { Config } from '@mind/config';
import type { FromRecognitionThread, ToRecognitionThread } from './recognition-thread-protocol';
import { speechEngine } from './speech-engine-choice';

const engine = speechEngine(workerData as Config['transcription']);
const streams = new Map<number, RecognitionStream>();
/** An utterance whose audio the engine refused: its finish answers the error. */
const failures = new Map<number, Error>();
const answer = (message: FromRecognitionThread) => parentPort!.postMessage(message);

/** Audio of a stream that is gone (closed meanwhile) is dropped. */
function accept(channel: number, samples: Int16Array) {
  try {
    streams.get(channel)?.accept(samples);
  } catch (error) {
    failures.set(channel, error as Error);
  }
}

parentPort!.on('message', (message: ToRecognitionThread) => {
  if (message.type === 'close') {
    streams.get(message.channel)?.close();
    streams.delete(message.channel);
    failures.delete(message.channel);
    return;
  }
  if (message.type === 'accept') return accept(message.channel, message.samples);
  try {
    if (message.type === 'open') {
      streams.set(message.channel, engine.open(message.language));
      return answer({ id: message.id, ok: true });
    }
    const stream = streams.get(message.channel);
    if (!stream) throw new Error('no such recognition stream');
    const failure = failures.get(message.channel);
    failures.delete(message.channel);
    if (failure) throw failure;
    answer({ id: message.id, ok: true, recognition: stream.finish() });
  } catch (error) {
    const unsupported = error instanceof LanguageNotSupportedError;
    answer({ id: message.id, ok: false, error: (error as Error).message, unsupported });
  }
});
