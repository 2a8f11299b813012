interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes items in batches, one batch of a key at a time: an item whose key has no batch in flight is
 * written at once, alone; items that arrive while one is in flight wait for it and are written
 * together in the next. Under light load nothing waits; under heavy load (or while the database
 * stalls) the batches grow, so each item costs less and the backlog clears sooner, where one
 * statement per item would queue. A batch that fails is written again item by item, so that one bad
 * item fails only its own caller.
 */
export class KeyedBatches<I, O> {
  private readonly waiting = new Map<string, Waiting<I, O>[]>();
  private readonly writing = new Set<string>();

  constructor(
    /** Writes `items` of `key` and answers one result per item, in their order. */
    private readonly write: (key: string, items: I[]) => Promise<O[]>,
    private readonly maxBatch = 100,
  ) {}

  submit(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const queue = this.waiting.get(key);
      if (queue) queue.push({ item, resolve, reject });
      else this.waiting.set(key, [{ item, resolve, reject }]);
      if (!this.writing.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.writing.add(key);
    try {
      for (let batch = this.take(key); batch.length > 0; batch = this.take(key))
        await this.writeBatch(key, batch);
    } finally {
      this.writing.delete(key);
    }
  }

  private take(key: string): Waiting<I, O>[] {
    const queue = this.waiting.get(key) ?? [];
    const batch = queue.splice(0, this.maxBatch);
    if (queue.length === 0) this.waiting.delete(key);
    return batch;
  }

  private async writeBatch(key: string, batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.write(
        key,
        batch.map((waiting) => waiting.item),
      );
      batch.forEach((waiting, i) => waiting.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const waiting of batch) {
        await this.write(key, [waiting.item]).then(([result]) => waiting.resolve(result!), waiting.reject);
      }
    }
  }
}
