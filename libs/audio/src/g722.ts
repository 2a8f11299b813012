import koffi from 'koffi';
import { NativeState } from './native-state';

/** G.722 at 64 kbit/s: one byte per two 16 kHz samples (RFC 3551 §4.5.2: its RTP clock says 8 kHz). */
const BIT_RATE = 64000;

interface Binding {
  encoderInit: (state: null, rate: number, options: number) => unknown;
  encoderFree: (state: unknown) => number;
  encode: (state: unknown, data: Buffer, amp: Int16Array, length: number) => number;
  decoderInit: (state: null, rate: number, options: number) => unknown;
  decoderFree: (state: unknown) => number;
  decode: (state: unknown, amp: Int16Array, data: Buffer, length: number) => number;
}

let binding: Binding | undefined;

/** Debian's spandsp (libspandsp2), the telephony DSP library, has the ITU codec. */
function load(): Binding {
  if (binding) return binding;
  const spandsp = koffi.load('libspandsp.so.2');
  binding = {
    encoderInit: spandsp.func('void *g722_encode_init(void *s, int rate, int options)'),
    encoderFree: spandsp.func('int g722_encode_free(void *s)'),
    encode: spandsp.func('int g722_encode(void *s, _Out_ uint8_t *g722_data, const int16_t *amp, int len)'),
    decoderInit: spandsp.func('void *g722_decode_init(void *s, int rate, int options)'),
    decoderFree: spandsp.func('int g722_decode_free(void *s)'),
    decode: spandsp.func('int g722_decode(void *s, _Out_ int16_t *amp, const uint8_t *g722_data, int len)'),
  };
  return binding;
}

export class G722Error extends Error {}

/** A G.722 state of spandsp's (the codec is adaptive: each direction of a stream keeps its own). */
function created(state: unknown): unknown {
  if (!state) throw new G722Error('spandsp could not make a G.722 state');
  return state;
}

const g722Error = (message: string) => new G722Error(message);

/** 16 kHz mono samples to G.722 bytes (an even number of samples: two per byte). */
export class G722Encoder extends NativeState {
  constructor() {
    super(created(load().encoderInit(null, BIT_RATE, 0)), g722Error);
  }

  encode(samples: Int16Array): Buffer {
    const out = Buffer.alloc(Math.ceil(samples.length / 2));
    const written = load().encode(this.native, out, samples, samples.length);
    return out.subarray(0, written);
  }

  protected destroy(state: unknown): void {
    load().encoderFree(state);
  }
}

/** G.722 bytes to 16 kHz mono samples. */
export class G722Decoder extends NativeState {
  constructor() {
    super(created(load().decoderInit(null, BIT_RATE, 0)), g722Error);
  }

  decode(data: Buffer): Int16Array {
    const out = new Int16Array(data.length * 2);
    const written = load().decode(this.native, out, data, data.length);
    return out.slice(0, written);
  }

  protected destroy(state: unknown): void {
    load().decoderFree(state);
  }
}
