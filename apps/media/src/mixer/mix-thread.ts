import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '@mind/logging';
import { MixEngine } from './mix-engine';
import type { FromMixThread, MixThreadData, ToMixThread } from './mix-protocol';

/**
 * The mixing thread's entry: one MixEngine per thread, driven by the main thread's messages, so that
 * composing and mixing never hold up the media node's signalling.
 */
const { options, logLevel, logBindings } = workerData as MixThreadData;
const port = parentPort!;
const engine = new MixEngine(
  options,
  createLogger('media', logLevel).child({ ...logBindings, mixThread: true }),
  (event: FromMixThread) => port.postMessage(event),
);
port.on('message', (message: ToMixThread) => {
  engine.handle(message);
  if (message.type === 'stop') port.close();
});
