import { JitterBuffer } from './jitter-buffer';

/** A payload that names its packet. */
const frame = (sequence: number) => Buffer.from(String(sequence));

/** What `ticks` pops give: the packets' sequence numbers, 'lost' (null) or '-' (undefined). */
function play(buffer: JitterBuffer, ticks: number): (number | string)[] {
  return Array.from({ length: ticks }, () => {
    const payload = buffer.pop();
    return payload === null ? 'lost' : payload === undefined ? '-' : Number(payload.toString());
  });
}

function push(buffer: JitterBuffer, ...sequences: number[]): void {
  for (const sequence of sequences) buffer.push(sequence, frame(sequence));
}

describe('JitterBuffer', () => {
  it('waits for its depth, then plays in sequence order what arrived out of order', () => {
    const buffer = new JitterBuffer({ depth: 3 });
    push(buffer, 101);
    expect(play(buffer, 1)).toEqual(['-']);
    push(buffer, 100, 103, 102, 105, 104);
    expect(play(buffer, 6)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(buffer.counters).toEqual({ received: 6, played: 6, concealed: 0, late: 0, dropped: 0 });
  });

  it('asks for concealment of a lost packet, and drops it if it comes after its turn', () => {
    const buffer = new JitterBuffer({ depth: 2 });
    push(buffer, 1, 2, 4, 5);
    expect(play(buffer, 3)).toEqual([1, 2, 'lost']);
    push(buffer, 3, 6);
    expect(play(buffer, 3)).toEqual([4, 5, 6]);
    expect(buffer.counters).toMatchObject({ received: 6, played: 5, concealed: 1, late: 1 });
  });

  it('drops duplicates, held or already played', () => {
    const buffer = new JitterBuffer({ depth: 2 });
    push(buffer, 7, 8, 8);
    expect(play(buffer, 1)).toEqual([7]);
    push(buffer, 7, 9);
    expect(play(buffer, 2)).toEqual([8, 9]);
    expect(buffer.counters).toMatchObject({ received: 5, played: 3, late: 1, dropped: 1 });
  });

  it('plays across the wrap of sequence numbers at 65535', () => {
    const buffer = new JitterBuffer({ depth: 3 });
    push(buffer, 65534, 0, 65535, 2, 1);
    expect(play(buffer, 5)).toEqual([65534, 65535, 0, 1, 2]);
    push(buffer, 65535);
    expect(buffer.counters).toMatchObject({ played: 5, late: 1 });
  });

  it('keeps the newest frames of a burst beyond its bound', () => {
    const buffer = new JitterBuffer({ depth: 2, maxDepth: 4 });
    push(buffer, 1, 2);
    expect(play(buffer, 1)).toEqual([1]);
    push(buffer, 3, 4, 5, 6, 7, 8);
    expect(play(buffer, 5)).toEqual([5, 6, 7, 8, 'lost']);
    expect(buffer.counters).toMatchObject({ played: 5, dropped: 3 });
  });

  it('stops after a pause, and starts again when the stream does (its sequence carries on)', () => {
    const buffer = new JitterBuffer({ depth: 2, stopAfter: 3 });
    push(buffer, 10, 11);
    expect(play(buffer, 7)).toEqual([10, 11, 'lost', 'lost', 'lost', '-', '-']);
    // Silence suppression: the next talk spurt goes on from 12, two seconds later.
    push(buffer, 12);
    expect(play(buffer, 1)).toEqual(['-']);
    push(buffer, 13);
    expect(play(buffer, 2)).toEqual([12, 13]);
    expect(buffer.counters).toMatchObject({ played: 4, concealed: 3, late: 0 });
  });

  it.each([
    ['ahead', 30_000],
    ['behind', 60_000],
  ])('fills again from a sequence jump %s (a restarted sender)', (_, jump) => {
    const buffer = new JitterBuffer({ depth: 2 });
    push(buffer, 500, 501, 502);
    expect(play(buffer, 1)).toEqual([500]);
    push(buffer, jump);
    expect(play(buffer, 1)).toEqual(['-']);
    push(buffer, jump + 1);
    expect(play(buffer, 2)).toEqual([jump, jump + 1]);
    expect(buffer.counters).toMatchObject({ played: 3, late: 0, dropped: 2 });
  });

  it('forgets a stream on reset (a new SSRC)', () => {
    const buffer = new JitterBuffer({ depth: 1 });
    push(buffer, 40, 41);
    buffer.reset();
    expect(play(buffer, 1)).toEqual(['-']);
    push(buffer, 7);
    expect(play(buffer, 1)).toEqual([7]);
    expect(buffer.counters.dropped).toBe(2);
  });
});
