// Tones and their measures for the tests: not part of the library's exports.

/** `seconds` of a sine at `frequency` Hz, peak `amplitude`. */
export function sine(frequency: number, rate: number, seconds: number, amplitude = 10_000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / rate)),
  );
}

/** Samples cut into frames of `ms`, as a stream is sent. */
export function frames(samples: Int16Array, rate: number, ms = 20): Int16Array[] {
  const size = (rate * ms) / 1000;
  return Array.from({ length: Math.floor(samples.length / size) }, (_, i) =>
    samples.slice(i * size, (i + 1) * size),
  );
}

export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
  return out;
}

export function rms(samples: Int16Array): number {
  return Math.sqrt(samples.reduce((sum, sample) => sum + sample * sample, 0) / samples.length);
}

/** A tone's frequency from its rising zero crossings (interpolated between samples). */
export function frequencyOf(samples: Int16Array, rate: number): number {
  const crossings: number[] = [];
  for (let i = 1; i < samples.length; i++)
    if (samples[i - 1] < 0 && samples[i] >= 0)
      crossings.push(i - 1 + samples[i - 1] / (samples[i - 1] - samples[i]));
  return ((crossings.length - 1) * rate) / (crossings[crossings.length - 1] - crossings[0]);
}
