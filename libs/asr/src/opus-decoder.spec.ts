import koffi from 'koffi';
import { OpusDecoder, OpusError, PocketSphinxEngine, SAMPLE_RATE, wordErrorRate } from './index';
import { speak } from './test-speech';

/** libopus's encoder, as a browser would encode: 48 kHz, 20 ms packets (only the tests encode). */
function opusPackets(samples16k: Int16Array, channels: 1 | 2): Buffer[] {
  const opus = koffi.load('libopus.so.0');
  const create = opus.func(
    'void *opus_encoder_create(int32_t rate, int channels, int app, _Out_ int *error)',
  );
  const encode = opus.func(
    'int32_t opus_encode(void *enc, const int16_t *pcm, int frame_size, _Out_ uint8_t *data, int32_t max)',
  );
  const destroy = opus.func('void opus_encoder_destroy(void *enc)');
  const encoder = create(48_000, channels, 2048, [0]);
  // 16 kHz to 48 kHz by repeating samples is enough for speech to stay speech.
  const frame = 960;
  const packets: Buffer[] = [];
  for (let start = 0; start + frame / 3 <= samples16k.length; start += frame / 3) {
    const pcm = new Int16Array(frame * channels);
    for (let i = 0; i < frame; i++) {
      for (let c = 0; c < channels; c++) pcm[i * channels + c] = samples16k[start + Math.floor(i / 3)];
    }
    const out = Buffer.alloc(1500);
    packets.push(Buffer.from(out.subarray(0, encode(encoder, pcm, frame, out, out.length))));
  }
  destroy(encoder);
  return packets;
}

describe('Opus decoding for the engines', () => {
  const sentence = 'please send me the recording of the meeting tomorrow';
  const speech = speak(sentence, 'slt');

  it.each([1, 2] as const)(
    'turns 48 kHz Opus (%i channels) into 16 kHz mono the engine recognises',
    (channels) => {
      const decoder = new OpusDecoder();
      const decoded = opusPackets(speech, channels).map((packet) => decoder.decode(packet));
      decoder.close();
      expect(decoded.every((samples) => samples.length === SAMPLE_RATE / 50)).toBe(true);
      const audio = Int16Array.from(decoded.flatMap((samples) => [...samples]));
      const stream = new PocketSphinxEngine().open('en');
      stream.accept(audio);
      const { text } = stream.finish();
      stream.close();
      expect(wordErrorRate(sentence, text)).toBeLessThanOrEqual(0.35);
    },
  );

  it('conceals lost packets with audio of the lost length, and refuses a corrupt packet', () => {
    const decoder = new OpusDecoder();
    const [first] = opusPackets(speech, 1);
    decoder.decode(first);
    expect(decoder.conceal(20).length).toBe(320);
    expect(decoder.conceal(60).length).toBe(960);
    expect(() => decoder.decode(Buffer.from([0xff, 0xff, 0xff]))).toThrow(OpusError);
    decoder.close();
    expect(() => decoder.decode(first)).toThrow('closed');
  });
});
