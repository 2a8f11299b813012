import { KeyedBatches } from './keyed-batches';

/** A writer that records its batches and answers when the test says. */
function gatedWriter(fail?: (item: string) => boolean) {
  const batches: { key: string; items: string[] }[] = [];
  const gates: (() => void)[] = [];
  const write = async (key: string, items: string[]) => {
    batches.push({ key, items });
    await new Promise<void>((open) => gates.push(open));
    if (fail && items.some(fail)) throw new Error(`refused ${items.join(',')}`);
    return items.map((item) => `${key}:${item}`);
  };
  const openNext = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, write, openNext };
}

describe('KeyedBatches', () => {
  it('writes an item at once when its key is idle, and what arrives meanwhile in one batch after it', async () => {
    const writer = gatedWriter();
    const batches = new KeyedBatches(writer.write);
    const first = batches.submit('c1', 'a');
    expect(writer.batches).toEqual([{ key: 'c1', items: ['a'] }]);
    const rest = ['b', 'c', 'd'].map((item) => batches.submit('c1', item));
    expect(writer.batches).toHaveLength(1);
    await writer.openNext();
    expect(await first).toBe('c1:a');
    expect(writer.batches[1]).toEqual({ key: 'c1', items: ['b', 'c', 'd'] });
    await writer.openNext();
    expect(await Promise.all(rest)).toEqual(['c1:b', 'c1:c', 'c1:d']);
  });

  it('keeps keys apart: another key is written at once, in its own batch', async () => {
    const writer = gatedWriter();
    const batches = new KeyedBatches(writer.write);
    const a = batches.submit('c1', 'a');
    const b = batches.submit('c2', 'b');
    expect(writer.batches).toEqual([
      { key: 'c1', items: ['a'] },
      { key: 'c2', items: ['b'] },
    ]);
    await writer.openNext();
    await writer.openNext();
    expect([await a, await b]).toEqual(['c1:a', 'c2:b']);
  });

  it('caps a batch, leaving the rest for the next', async () => {
    const writer = gatedWriter();
    const batches = new KeyedBatches(writer.write, 2);
    const all = ['a', 'b', 'c', 'd'].map((item) => batches.submit('c1', item));
    for (let i = 0; i < 3; i++) await writer.openNext();
    await Promise.all(all);
    expect(writer.batches.map((batch) => batch.items)).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('writes a failed batch again item by item: only the bad item fails, the next batch goes on', async () => {
    const writer = gatedWriter((item) => item === 'bad');
    const batches = new KeyedBatches(writer.write);
    const first = batches.submit('c1', 'a');
    const waiting = ['b', 'bad', 'c'].map((item) =>
      batches.submit('c1', item).then(
        (result) => ({ result }),
        (error: Error) => ({ error: error.message }),
      ),
    );
    await writer.openNext(); // a
    await writer.openNext(); // b, bad, c: refused
    for (let i = 0; i < 3; i++) await writer.openNext(); // each alone
    expect(await first).toBe('c1:a');
    expect(await Promise.all(waiting)).toEqual([
      { result: 'c1:b' },
      { error: 'refused bad' },
      { result: 'c1:c' },
    ]);
    const later = batches.submit('c1', 'd');
    await writer.openNext();
    expect(await later).toBe('c1:d');
  });
});
