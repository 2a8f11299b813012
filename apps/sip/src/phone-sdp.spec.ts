import { parse } from 'sdp-transform';
import { phoneOffer, readPhoneAnswer, SdpAnswerError } from './phone-sdp';

const answer = (m: string, c = 'c=IN IP4 127.0.0.3') =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.3',
    's=-',
    c,
    't=0 0',
    m,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=rtpmap:111 opus/48000/2',
    '',
  ].join('\r\n');

describe('phone SDP', () => {
  it('offers Opus, PCMU, PCMA and telephone events from our RTP address', () => {
    const offer = parse(phoneOffer('127.0.0.2', 31000, 7));
    const audio = offer.media[0];
    expect(offer.connection?.ip).toBe('127.0.0.2');
    expect(audio.port).toBe(31000);
    expect(audio.payloads).toBe('111 9 0 8 101');
    expect(audio.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`)).toEqual([
      '111 opus/48000',
      '9 G722/8000',
      '0 PCMU/8000',
      '8 PCMA/8000',
      '101 telephone-event/8000',
    ]);
  });

  it("reads the phone's address, its first codec among ours, the others it takes, and DTMF", () => {
    const media = readPhoneAnswer(answer('m=audio 6000 RTP/AVP 8 0 101'));
    expect(media).toEqual({
      ip: '127.0.0.3',
      port: 6000,
      codec: { name: 'PCMA', payloadType: 8, clockRate: 8000 },
      accepted: [
        { name: 'PCMA', payloadType: 8, clockRate: 8000 },
        { name: 'PCMU', payloadType: 0, clockRate: 8000 },
      ],
      telephoneEvent: 101,
    });
    expect(readPhoneAnswer(answer('m=audio 6000 RTP/AVP 111')).codec.name).toBe('opus');
    expect(readPhoneAnswer(answer('m=audio 6000 RTP/AVP 9 0')).codec).toEqual({
      name: 'G722',
      payloadType: 9,
      clockRate: 8000,
    });
  });

  it('refuses answers it cannot bridge', () => {
    expect(() => readPhoneAnswer('not sdp')).toThrow(SdpAnswerError);
    expect(() => readPhoneAnswer(answer('m=audio 0 RTP/AVP 0'))).toThrow(/no audio/);
    expect(() => readPhoneAnswer(answer('m=audio 6000 RTP/AVP 18'))).toThrow(/none of the offered codecs/);
    expect(() => readPhoneAnswer(answer('m=audio 6000 RTP/AVP 0', 'c=IN IP4 nowhere'))).toThrow(
      /connection address/,
    );
  });
});
