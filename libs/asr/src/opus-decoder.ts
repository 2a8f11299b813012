import { OpusDecoder as Decoder } from '@mind/audio';
import { SAMPLE_RATE } from './speech-engine';

export { OpusError } from '@mind/audio';

/**
 * Opus packets (as WebRTC sends them, any bandwidth, mono or stereo) decoded straight to what the
 * engines take, 16 kHz mono: libopus resamples and downmixes itself.
 */
export class OpusDecoder extends Decoder {
  constructor() {
    super(SAMPLE_RATE, 1);
  }
}
