import koffi from 'koffi';
import { SAMPLE_RATE } from './speech-engine';

/** The longest Opus packet: 120 ms. */
const MAX_FRAME_MS = 120;
const MAX_SAMPLES = (SAMPLE_RATE * MAX_FRAME_MS) / 1000;

interface Binding {
  create: (rate: number, channels: number, error: number[]) => unknown;
  destroy: (decoder: unknown) => void;
  decode: (
    decoder: unknown,
    data: Buffer | null,
    length: number,
    pcm: Int16Array,
    frameSize: number,
    fec: number,
  ) => number;
  strerror: (code: number) => string;
}

let binding: Binding | undefined;

function load(): Binding {
  if (binding) return binding;
  const opus = koffi.load('libopus.so.0');
  binding = {
    create: opus.func('void *opus_decoder_create(int32_t rate, int channels, _Out_ int *error)'),
    destroy: opus.func('void opus_decoder_destroy(void *decoder)'),
    decode: opus.func(
      'int opus_decode(void *decoder, const uint8_t *data, int32_t len, _Out_ int16_t *pcm, int frame_size, int fec)',
    ),
    strerror: opus.func('const char *opus_strerror(int error)'),
  };
  return binding;
}

export class OpusError extends Error {}

/**
 * Opus packets (as WebRTC sends them, any bandwidth, mono or stereo) decoded by Debian's libopus
 * straight to what the engines take, 16 kHz mono: libopus resamples and downmixes itself.
 */
export class OpusDecoder {
  private decoder: unknown;
  private readonly pcm = new Int16Array(MAX_SAMPLES);

  constructor() {
    const error = [0];
    this.decoder = load().create(SAMPLE_RATE, 1, error);
    if (!this.decoder || error[0] !== 0)
      throw new OpusError(`opus_decoder_create: ${load().strerror(error[0])}`);
  }

  /** One packet's samples; a corrupt packet is an `OpusError`. */
  decode(packet: Buffer): Int16Array {
    return this.run(packet, MAX_SAMPLES);
  }

  /** Samples that stand in for `ms` of lost packets (libopus's concealment). */
  conceal(ms: number): Int16Array {
    const samples = Math.round((SAMPLE_RATE * Math.min(ms, MAX_FRAME_MS)) / 1000);
    // libopus conceals in multiples of 2.5 ms.
    return this.run(null, samples - (samples % (SAMPLE_RATE / 400)));
  }

  close(): void {
    if (this.decoder) load().destroy(this.decoder);
    this.decoder = null;
  }

  private run(packet: Buffer | null, frameSize: number): Int16Array {
    if (!this.decoder) throw new OpusError('the decoder is closed');
    if (frameSize <= 0) return new Int16Array(0);
    const decoded = load().decode(this.decoder, packet, packet?.length ?? 0, this.pcm, frameSize, 0);
    if (decoded < 0) throw new OpusError(`opus_decode: ${load().strerror(decoded)}`);
    return this.pcm.slice(0, decoded);
  }
}
