import { OpusDecoder, OpusError, PocketSphinxEngine, SAMPLE_RATE, wordErrorRate } from './index';
import { opusPackets, speak } from './test-speech';

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
