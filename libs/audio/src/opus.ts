import koffi from 'koffi';
import { NativeState } from './native-state';

/** The longest Opus packet: 120 ms. */
const MAX_FRAME_MS = 120;
/** libopus's advice for an output buffer: more than any packet it can write. */
const MAX_PACKET_BYTES = 4000;
/** Speech over a network: libopus favours intelligibility and turns on its VoIP-specific tools. */
const APPLICATION_VOIP = 2048;
const SET_BITRATE = 4002;
const GET_BITRATE = 4003;

interface Binding {
  decoderCreate: (rate: number, channels: number, error: number[]) => unknown;
  decoderDestroy: (decoder: unknown) => void;
  decode: (
    decoder: unknown,
    data: Buffer | null,
    length: number,
    pcm: Int16Array,
    frameSize: number,
    fec: number,
  ) => number;
  encoderCreate: (rate: number, channels: number, application: number, error: number[]) => unknown;
  encoderDestroy: (encoder: unknown) => void;
  encode: (encoder: unknown, pcm: Int16Array, frameSize: number, data: Buffer, max: number) => number;
  // Variadic in C: koffi takes each extra argument's type before its value.
  encoderCtl: (encoder: unknown, request: number, ...typeThenValue: unknown[]) => number;
  strerror: (code: number) => string;
  /** A variadic `int32_t *` that libopus writes to: a plain pointer type would not be read back. */
  int32Out: unknown;
}

let binding: Binding | undefined;

function load(): Binding {
  if (binding) return binding;
  const opus = koffi.load('libopus.so.0');
  binding = {
    decoderCreate: opus.func('void *opus_decoder_create(int32_t rate, int channels, _Out_ int *error)'),
    decoderDestroy: opus.func('void opus_decoder_destroy(void *decoder)'),
    decode: opus.func(
      'int opus_decode(void *decoder, const uint8_t *data, int32_t len, _Out_ int16_t *pcm, int frame_size, int fec)',
    ),
    encoderCreate: opus.func(
      'void *opus_encoder_create(int32_t rate, int channels, int application, _Out_ int *error)',
    ),
    encoderDestroy: opus.func('void opus_encoder_destroy(void *encoder)'),
    encode: opus.func(
      'int32_t opus_encode(void *encoder, const int16_t *pcm, int frame_size, _Out_ uint8_t *data, int32_t max)',
    ),
    encoderCtl: opus.func('int opus_encoder_ctl(void *encoder, int request, ...)'),
    strerror: opus.func('const char *opus_strerror(int error)'),
    int32Out: koffi.out(koffi.pointer('int32_t')),
  };
  return binding;
}

export class OpusError extends Error {}

/** libopus's negative return codes as errors; anything else passes through. */
function checked(what: string, code: number): number {
  if (code < 0) throw new OpusError(`${what}: ${load().strerror(code)}`);
  return code;
}

/** A libopus state, made by `create` (which reports failure in its `error` argument). */
function created(what: string, create: (error: number[]) => unknown): unknown {
  const error = [0];
  const state = create(error);
  if (!state || error[0] !== 0) checked(what, error[0] || -1);
  return state;
}

const opusError = (message: string) => new OpusError(message);

/**
 * Opus packets (as WebRTC sends them, any bandwidth, mono or stereo) decoded by Debian's libopus to
 * the rate and channels asked for (8, 12, 16, 24 or 48 kHz; 1 or 2): libopus resamples and down- or
 * upmixes itself, so a consumer never sees what the sender chose.
 */
export class OpusDecoder extends NativeState {
  private readonly pcm: Int16Array;

  constructor(
    readonly sampleRate: number,
    readonly channels: number,
  ) {
    super(
      created('opus_decoder_create', (error) => load().decoderCreate(sampleRate, channels, error)),
      opusError,
    );
    this.pcm = new Int16Array(((sampleRate * MAX_FRAME_MS) / 1000) * channels);
  }

  /** One packet's samples (interleaved when stereo); a corrupt packet is an `OpusError`. */
  decode(packet: Buffer): Int16Array {
    return this.run(packet, this.pcm.length / this.channels);
  }

  /** Samples that stand in for `ms` of lost packets (libopus's concealment). */
  conceal(ms: number): Int16Array {
    const samples = Math.round((this.sampleRate * Math.min(ms, MAX_FRAME_MS)) / 1000);
    // libopus conceals in multiples of 2.5 ms.
    return this.run(null, samples - (samples % (this.sampleRate / 400)));
  }

  protected destroy(decoder: unknown): void {
    load().decoderDestroy(decoder);
  }

  private run(packet: Buffer | null, frameSize: number): Int16Array {
    const decoder = this.native;
    if (frameSize <= 0) return new Int16Array(0);
    const decoded = load().decode(decoder, packet, packet?.length ?? 0, this.pcm, frameSize, 0);
    return this.pcm.slice(0, checked('opus_decode', decoded) * this.channels);
  }
}

/**
 * Speech encoded by Debian's libopus for WebRTC (application VOIP, libopus's default variable bitrate
 * unless `bitrate` is set).
 */
export class OpusEncoder extends NativeState {
  private readonly packet = Buffer.alloc(MAX_PACKET_BYTES);

  constructor(
    readonly sampleRate: number,
    readonly channels: number,
  ) {
    super(
      created('opus_encoder_create', (error) =>
        load().encoderCreate(sampleRate, channels, APPLICATION_VOIP, error),
      ),
      opusError,
    );
  }

  /**
   * One packet from one frame of samples (interleaved when stereo) of 2.5, 5, 10, 20, 40 or 60 ms:
   * any other length is an `OpusError`.
   */
  encode(pcm: Int16Array): Buffer {
    const frameSize = pcm.length / this.channels;
    // koffi would round a fraction down, dropping the last sample silently.
    if (!Number.isInteger(frameSize)) throw new OpusError('opus_encode: a stereo frame of an odd length');
    const length = load().encode(this.native, pcm, frameSize, this.packet, this.packet.length);
    return Buffer.from(this.packet.subarray(0, checked('opus_encode', length)));
  }

  /** The target in bit/s (libopus clamps it to 500-512000). */
  get bitrate(): number {
    const bitrate = [0];
    const { encoderCtl, int32Out } = load();
    checked('OPUS_GET_BITRATE', encoderCtl(this.native, GET_BITRATE, int32Out, bitrate));
    return bitrate[0];
  }

  set bitrate(bitsPerSecond: number) {
    checked('OPUS_SET_BITRATE', load().encoderCtl(this.native, SET_BITRATE, 'int32_t', bitsPerSecond));
  }

  protected destroy(encoder: unknown): void {
    load().encoderDestroy(encoder);
  }
}
