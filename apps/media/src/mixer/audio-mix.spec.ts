import { FRAME_SAMPLES, LoudestSpeaker, levelDbov, mixFor, sumFrames } from './audio-mix';

const constant = (value: number) => new Int16Array(FRAME_SAMPLES).fill(value);

describe('audio mix', () => {
  it("gives each listener everyone's voice but its own", () => {
    const a = constant(1000);
    const b = constant(-300);
    const c = constant(50);
    const total = sumFrames([a, b, c]);
    expect(mixFor(total, a)[0]).toBe(-250);
    expect(mixFor(total, b)[10]).toBe(1050);
    expect(mixFor(total)[FRAME_SAMPLES - 1]).toBe(750);
  });

  it('clips the sum to 16 bits instead of wrapping around', () => {
    const total = sumFrames([constant(30000), constant(30000), constant(-100)]);
    expect(mixFor(total)[0]).toBe(32767);
    expect(mixFor(sumFrames([constant(-30000), constant(-30000)]))[0]).toBe(-32768);
  });

  it('measures loudness in dBov', () => {
    expect(levelDbov(constant(0))).toBe(-127);
    expect(levelDbov(constant(32767))).toBeCloseTo(0, 1);
    expect(levelDbov(constant(3277))).toBeCloseTo(-20, 0);
  });

  it('switches the loudest speaker only after the new one has led for the hold time', () => {
    const picker = new LoudestSpeaker(1000);
    let now = 0;
    const feed = (levels: Record<string, number>, ms: number) => {
      for (const end = now + ms; now < end; now += 20) picker.update(new Map(Object.entries(levels)), now);
      return picker.speaker;
    };
    expect(feed({ a: -127, b: -127 }, 200)).toBeNull();
    expect(feed({ a: -20, b: -127 }, 1000)).toBe('a');
    expect(feed({ a: -127, b: -20 }, 500)).toBe('a');
    expect(feed({ a: -127, b: -20 }, 1500)).toBe('b');
    // A speaker who leaves hands over without the hold time.
    expect(feed({ a: -20 }, 400)).toBe('a');
  });
});
