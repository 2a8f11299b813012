import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@mind/logging';
import type { FromMixThread, MixThreadData, ToMixThread } from './mix-protocol';

export interface MixThreadEvents {
  event: [event: FromMixThread];
  /** The thread ended: stopped, or failed. */
  exit: [];
}

/** The main thread's side of one mixing thread (`mix-thread.ts`): typed messages both ways. */
export class MixThread extends EventEmitter<MixThreadEvents> {
  private readonly worker: Worker;
  private exited = false;

  constructor(data: MixThreadData, logger: Logger) {
    super();
    this.worker = new Worker(join(__dirname, 'mix-thread.js'), { workerData: data });
    this.worker.on('message', (event: FromMixThread) => this.emit('event', event));
    this.worker.on('error', (error) => logger.error({ err: error }, 'mixing thread failed'));
    this.worker.on('exit', () => {
      this.exited = true;
      this.emit('exit');
    });
  }

  send(message: ToMixThread): void {
    if (!this.exited) this.worker.postMessage(message);
  }

  /** Asks the thread to end its decoders and encoders and finish. */
  stop(): void {
    this.send({ type: 'stop' });
  }
}
