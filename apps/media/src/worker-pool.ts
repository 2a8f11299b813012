import { createWorker, type types } from 'mediasoup';
import type { Logger } from '@mind/logging';

export interface WorkerPoolOptions {
  size: number;
  rtcMinPort: number;
  rtcMaxPort: number;
}

interface Slot {
  worker: types.Worker;
  routers: number;
}

/**
 * One mediasoup worker per core. A router goes to the worker with the fewest routers; a worker that
 * dies is replaced (its routers close with it, which closes their rooms).
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private closed = false;

  constructor(
    private readonly options: WorkerPoolOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.options.size; i++) this.slots.push({ worker: await this.spawn(), routers: 0 });
  }

  get size(): number {
    return this.slots.length;
  }

  /** The least busy worker; the caller creates its router there and releases it when closed. */
  acquire(): { worker: types.Worker; release: () => void } {
    const slot = this.slots.reduce((best, s) => (s.routers < best.routers ? s : best));
    slot.routers++;
    let released = false;
    return {
      worker: slot.worker,
      release: () => {
        if (released) return;
        released = true;
        slot.routers = Math.max(0, slot.routers - 1);
      },
    };
  }

  close(): void {
    this.closed = true;
    for (const slot of this.slots) slot.worker.close();
  }

  private async spawn(): Promise<types.Worker> {
    const worker = await createWorker({
      logLevel: 'warn',
      rtcMinPort: this.options.rtcMinPort,
      rtcMaxPort: this.options.rtcMaxPort,
    });
    worker.on('died', (error) => {
      this.logger.error({ err: error, pid: worker.pid }, 'mediasoup worker died; replacing it');
      void this.replace(worker);
    });
    return worker;
  }

  private async replace(dead: types.Worker) {
    const slot = this.slots.find((s) => s.worker === dead);
    if (!slot || this.closed) return;
    try {
      slot.worker = await this.spawn();
      slot.routers = 0;
    } catch (error) {
      this.logger.error({ err: error }, 'could not replace a mediasoup worker');
    }
  }
}
