/*
 * G.711 (ITU-T, 1988): telephone samples as 8-bit codes on a segmented logarithmic scale. Each code is
 * a sign, a 3-bit segment (the power of two the magnitude falls in) and 4 bits of mantissa, so the
 * step grows with the level and quiet speech keeps its detail. Samples here are 16-bit, scaled as
 * the 14-bit (µ-law) or 13-bit (A-law) values the Recommendation counts in.
 */

/** µ-law offsets magnitudes so that segment 0 starts at zero: 33 in 14-bit, 132 in 16-bit. */
const MU_BIAS = 132;
/** The largest magnitude µ-law codes (8158 in 14-bit) once biased: louder is clipped. */
const MU_CLIP = 32635;

/** The segment of a 16-bit magnitude: how far its top bit is above bit 7 (0 below 256). */
function segmentOf(magnitude: number): number {
  return Math.max(0, 31 - Math.clz32(magnitude) - 7);
}

/**
 * Negatives count in one's complement (-1 is 0), as in the ITU's reference code (G.191): each code's
 * interval is then the mirror image of its positive twin's.
 */
const magnitudeOf = (sample: number) => (sample < 0 ? -sample - 1 : sample);

function muLawCode(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(magnitudeOf(sample), MU_CLIP) + MU_BIAS;
  const segment = segmentOf(magnitude);
  const mantissa = (magnitude >> (segment + 3)) & 0x0f;
  // Codes are sent inverted: silence (0xff) then has plenty of ones for old lines' clock recovery.
  return ~(sign | (segment << 4) | mantissa) & 0xff;
}

function muLawSample(code: number): number {
  const bits = ~code & 0xff;
  const segment = (bits >> 4) & 0x07;
  // The middle of the code's interval, less the bias.
  const magnitude = ((((bits & 0x0f) << 3) + MU_BIAS) << segment) - MU_BIAS;
  return bits & 0x80 ? -magnitude : magnitude;
}

function aLawCode(sample: number): number {
  // A-law's sign bit is set for positive samples.
  const sign = sample >= 0 ? 0x80 : 0;
  const magnitude = Math.min(magnitudeOf(sample), 0x7fff);
  const segment = segmentOf(magnitude);
  // Segments 0 and 1 share one step size: segment 0 has no implied leading one.
  const mantissa = (magnitude >> (segment === 0 ? 4 : segment + 3)) & 0x0f;
  // Even bits are inverted on the line, again for the ones density.
  return (sign | (segment << 4) | mantissa) ^ 0x55;
}

function aLawSample(code: number): number {
  const bits = code ^ 0x55;
  const segment = (bits >> 4) & 0x07;
  const mantissa = (bits & 0x0f) << 4;
  // The middle of the code's interval: A-law has no code for zero.
  const magnitude = segment === 0 ? mantissa + 8 : (mantissa + 0x108) << (segment - 1);
  return bits & 0x80 ? magnitude : -magnitude;
}

// Decoding is a lookup: 256 codes, computed once.
const MU_LAW_SAMPLES = Int16Array.from({ length: 256 }, (_, code) => muLawSample(code));
const A_LAW_SAMPLES = Int16Array.from({ length: 256 }, (_, code) => aLawSample(code));

function encodeWith(code: (sample: number) => number, samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = code(samples[i]);
  return out;
}

function decodeWith(table: Int16Array, codes: Buffer): Int16Array {
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]];
  return out;
}

/** PCMU (RTP payload type 0): North America and Japan. */
export const encodeMuLaw = (samples: Int16Array): Buffer => encodeWith(muLawCode, samples);
export const decodeMuLaw = (codes: Buffer): Int16Array => decodeWith(MU_LAW_SAMPLES, codes);

/** PCMA (RTP payload type 8): the rest of the world. */
export const encodeALaw = (samples: Int16Array): Buffer => encodeWith(aLawCode, samples);
export const decodeALaw = (codes: Buffer): Int16Array => decodeWith(A_LAW_SAMPLES, codes);
