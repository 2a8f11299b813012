import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from './g711';

const every16BitSample = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

describe('G.711', () => {
  it('codes µ-law as the Recommendation does', () => {
    const samples = Int16Array.of(0, -1, 1, 32767, -32768, 1000, -1000);
    expect([...encodeMuLaw(samples)]).toEqual([0xff, 0x7f, 0xff, 0x80, 0x00, 0xce, 0x4e]);
    expect([...decodeMuLaw(Buffer.from([0xff, 0x7f, 0x80, 0x00, 0xce, 0x4e]))]).toEqual([
      0, 0, 32124, -32124, 988, -988,
    ]);
  });

  it('codes A-law as the Recommendation does', () => {
    // Negatives in one's complement: -16 codes as -1 does, -17 as 16 would.
    const samples = Int16Array.of(0, -1, -16, -17, 16, 32767, -32768, 1000, -1000);
    expect([...encodeALaw(samples)]).toEqual([0xd5, 0x55, 0x55, 0x54, 0xd4, 0xaa, 0x2a, 0xfa, 0x7a]);
    expect([...decodeALaw(Buffer.from([0xd5, 0x55, 0xaa, 0x2a, 0xfa, 0x7a]))]).toEqual([
      8, -8, 32256, -32256, 1008, -1008,
    ]);
  });

  // A code's 16 neighbours sharing its upper 4 bits (sign and segment) are its segment's levels,
  // equally spaced: a sample is within half that step of its code's level. µ-law clips past 32635.
  it.each([
    ['µ-law', encodeMuLaw, decodeMuLaw, 32635],
    ['A-law', encodeALaw, decodeALaw, 32767],
  ] as const)('gives back every sample within half a step (%s)', (_, encode, decode, clip) => {
    const codes = encode(every16BitSample);
    const decoded = decode(codes);
    const halfSteps = Array.from({ length: 16 }, (_, upper) => {
      const levels = decode(Buffer.from(Array.from({ length: 16 }, (_, lower) => (upper << 4) | lower)));
      return (Math.max(...levels) - Math.min(...levels)) / 15 / 2;
    });
    every16BitSample.forEach((sample, i) => {
      const error = Math.abs(decoded[i] - Math.max(-clip, Math.min(clip, sample)));
      // +1: negatives count in one's complement, half a unit off.
      if (error > halfSteps[codes[i] >> 4] + 1) throw new Error(`${sample} came back as ${decoded[i]}`);
    });
  });

  it.each([
    ['µ-law', encodeMuLaw],
    ['A-law', encodeALaw],
  ] as const)('codes negatives as the mirror image of positives (%s)', (_, encode) => {
    const codes = encode(every16BitSample);
    // -1 mirrors 0, -32768 mirrors 32767: only the sign bit differs.
    for (let sample = 0; sample < 32768; sample++)
      if ((codes[32768 + sample] ^ codes[32767 - sample]) !== 0x80)
        throw new Error(`${sample} and ${-sample - 1}`);
  });

  it('is its own inverse on codes: every code decodes to a sample that encodes to it', () => {
    const codes = Buffer.from(Array.from({ length: 256 }, (_, code) => code));
    expect([...encodeALaw(decodeALaw(codes))]).toEqual([...codes]);
    // µ-law has two zeros (0x7f, 0xff): 0 encodes to 0xff.
    expect([...encodeMuLaw(decodeMuLaw(codes))]).toEqual(
      [...codes].map((code) => (code === 0x7f ? 0xff : code)),
    );
  });
});
