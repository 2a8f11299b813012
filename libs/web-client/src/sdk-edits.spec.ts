import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import {
  buildAnswer,
  DEFAULT_PUBLISHING_POLICY,
  negotiatedParameters,
  parseOffer,
  producerParameters,
  publishedParameters,
  type LineAnswer,
} from '@mind/sdp';
import {
  clientTraits,
  editAnswerBeforeApplying,
  editOfferBeforeApplying,
  editOfferForSending,
  type LineHints,
} from './sdk-edits';

/** Exchanges of the real Mind Web SDK 5.18 in Chromium 156 (see the folder's README). */
const CAPTURES = join(__dirname, '../../sdp/fixtures/mind-sdk-5.18');
const chromium = { vp9: false };

const rounds = readdirSync(CAPTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((scenario) =>
    readdirSync(join(CAPTURES, scenario.name))
      .filter((file) => file.endsWith('-offer.sdp'))
      .map((file) => ({
        scenario: scenario.name,
        round: file.replace(/-offer\.sdp$/, ''),
        read: (kind: string) =>
          readFileSync(join(CAPTURES, scenario.name, file.replace(/offer\.sdp$/, `${kind}.sdp`)), 'utf8'),
      })),
  );

const sections = (sdp: string) => sdp.split(/\r\n(?=m=)/).slice(1);
const mLine = (section: string) => section.split('\r\n')[0];
const has = (section: string, prefix: string) => section.split('\r\n').some((l) => l.startsWith(prefix));

/** The hints an offer was made with, read back from its `a=msid`, `b=TIAS` and `a=x-preferences` lines. */
function hintsOf(offer: string): Map<string, LineHints> {
  const hints = new Map<string, LineHints>();
  for (const section of sections(offer)) {
    const mid = /\r\na=mid:(\S+)/.exec(section)?.[1];
    const msid = /\r\na=msid:(\S+) (\S+)/.exec(section);
    if (!mid || !msid) continue;
    const preferences = /\r\na=x-preferences:(\d+)@(\d+)/.exec(section);
    const tias = /\r\nb=TIAS:(\d+)/.exec(section);
    hints.set(mid, {
      label: msid[1],
      trackId: msid[2],
      ...(tias ? { maxBitrate: Number(tias[1]) } : {}),
      ...(preferences
        ? { preferences: { maxFrameArea: Number(preferences[1]), maxFrameRate: Number(preferences[2]) } }
        : {}),
    });
  }
  return hints;
}

describe('Mind SDK edits, checked against the real SDK’s captured exchanges', () => {
  it('finds every captured round', () => {
    expect(rounds.length).toBe(18);
  });

  it.each(rounds.map((r) => [`${r.scenario}/${r.round}`, r] as const))(
    '%s: the offer sent is the local description with the SDK’s send-time edits, byte for byte',
    (_name, round) => {
      const traits = { vp9: round.scenario.includes('vp9') };
      const sent = round.read('offer');
      expect(editOfferForSending(round.read('local-before-send'), hintsOf(sent), traits)).toBe(sent);
    },
  );

  it.each(rounds.map((r) => [`${r.scenario}/${r.round}`, r] as const))(
    '%s: the edited answer sends the codec the SDK made Chromium send, with its simulcast lines',
    (_name, round) => {
      const traits = { vp9: round.scenario.includes('vp9') };
      const edited = sections(
        editAnswerBeforeApplying(round.read('answer-from-server'), round.read('local-before-send'), traits),
      );
      const applied = sections(round.read('answer-applied'));
      expect(edited.length).toBe(applied.length);
      edited.forEach((section, index) => {
        // Chromium rewrites the port; the payload types and their order are what matter.
        expect(mLine(section).split(' ').slice(3)).toEqual(mLine(applied[index]).split(' ').slice(3));
        expect(has(section, 'a=simulcast:')).toBe(has(applied[index], 'a=simulcast:'));
        expect(has(section, 'a=rid:')).toBe(has(applied[index], 'a=rid:'));
      });
    },
  );
});

describe('Mind SDK edits', () => {
  const createOffer = [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 118 119 120 121',
    'c=IN IP4 0.0.0.0',
    'a=mid:2',
    'a=inactive',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 nack',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:118 red/90000',
    'a=rtpmap:119 rtx/90000',
    'a=fmtp:119 apt=118',
    'a=rtpmap:120 ulpfec/90000',
    'a=rtpmap:121 rtx/90000',
    'a=fmtp:121 apt=120',
    '',
  ].join('\r\n');

  it('before applying an offer: rrtr feedback on every codec (not in Firefox), no rtx for ulpfec', () => {
    const edited = editOfferBeforeApplying(createOffer, chromium);
    expect(edited).toContain('m=video 9 UDP/TLS/RTP/SAVPF 96 97 118 119 120\r\n');
    expect(edited).not.toContain('a=rtpmap:121');
    expect(edited).not.toContain('a=fmtp:121');
    expect(edited).toContain('a=fmtp:119 apt=118');
    expect(edited.endsWith('a=rtcp-fb:* rrtr\r\n')).toBe(true);
    expect(editOfferBeforeApplying(createOffer, { firefox: 153, vp9: false })).not.toContain('rrtr');
  });

  it('sending: host candidates stripped, lines labelled, inactive video send lines given paused rids', () => {
    const section = (kind: string, mid: string, direction: string) =>
      `m=${kind} 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:${mid}\r\na=${direction}\r\n` +
      `a=msid:- browser-track-${mid}\r\na=rtpmap:96 VP8/90000\r\n`;
    const local =
      'v=0\r\ns=-\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n' +
      'a=candidate:1 1 udp 2122194687 192.0.2.2 48882 typ host generation 0\r\n' +
      'a=candidate:2 1 udp 1685987071 198.51.100.7 48882 typ srflx raddr 192.0.2.2 rport 48882\r\n' +
      section('audio', '1', 'sendonly') +
      section('video', '2', 'inactive') +
      section('audio', '3', 'inactive') +
      section('video', '4', 'inactive') +
      section('video', '5', 'recvonly');
    const hints = new Map<string, LineHints>([
      ['1', { label: 'me#primary', trackId: 'mic' }],
      ['2', { label: '-' }],
      ['3', { label: '-' }],
      ['4', { label: '-' }],
      ['5', { label: 'conference', trackId: 'remote', maxBitrate: 300000 }],
    ]);
    const sent = sections(editOfferForSending(local, hints, chromium));
    expect(sent[0]).not.toContain('typ host');
    expect(sent[0]).toContain('typ srflx');
    expect(sent[1]).toContain('a=mid:1\r\na=msid:me#primary mic\r\n');
    expect(sent[1]).not.toContain('browser-track');
    expect(sent[2]).toContain('a=mid:2\r\na=msid:- 2\r\n');
    for (const index of [2, 4])
      expect(sent[index]).toMatch(/a=rid:h send\r\na=simulcast:send ~l;~m;h(\r\n)?$/);
    expect(sent[3]).not.toContain('a=rid');
    expect(sent[5]).toContain('c=IN IP4 0.0.0.0\r\nb=TIAS:300000\r\n');
    expect(sent[5]).toMatch(/a=x-preferences:0@0(\r\n)?$/);
    expect(sent[5]).not.toContain('a=rid');
    // With the VP9 option the camera sends one SVC encoding: no rids are added.
    expect(editOfferForSending(local, hints, { vp9: true })).not.toContain('a=rid');
  });

  it('answer: the VP9 option moves only VP9 to the front; a REMB-only answer gets a start bitrate', () => {
    const answer = [
      'v=0',
      's=-',
      'm=application 7 UDP/DTLS/SCTP webrtc-datachannel',
      'a=mid:0',
      'm=audio 7 UDP/TLS/RTP/SAVPF 111',
      'a=mid:1',
      'm=video 7 UDP/TLS/RTP/SAVPF 96 97 108 109 98 99',
      'a=mid:2',
      'a=rtpmap:96 VP8/90000',
      'a=rtpmap:97 rtx/90000',
      'a=rtpmap:108 H264/90000',
      'a=fmtp:108 packetization-mode=1',
      'a=rtcp-fb:108 goog-remb',
      'a=rtpmap:109 rtx/90000',
      'a=rtpmap:98 VP9/90000',
      'a=rtcp-fb:98 transport-cc',
      'a=rtpmap:99 rtx/90000',
      'a=rid:l recv',
      'a=simulcast:recv l',
      '',
    ].join('\r\n');
    const local = answer.replace('a=rid:l recv', 'a=rid:l send').replace('recv l', 'send l');
    const plain = editAnswerBeforeApplying(answer, local, chromium);
    expect(plain).toContain('m=video 7 UDP/TLS/RTP/SAVPF 108 96 97 109 98 99\r\n');
    expect(plain).toContain('a=fmtp:108 packetization-mode=1;x-google-start-bitrate=1000\r\n');
    expect(plain).toContain('a=simulcast:recv l');
    const vp9 = editAnswerBeforeApplying(answer, local, { vp9: true });
    expect(vp9).toContain('m=video 7 UDP/TLS/RTP/SAVPF 98 96 97 108 109 99\r\n');
    expect(vp9).not.toContain('x-google-start-bitrate');
    // Simulcast the local offer did not carry is dropped from the answer, except in Firefox 110+.
    const noLocalSimulcast = local.replace(/a=(rid|simulcast):.*\r\n/g, '');
    expect(editAnswerBeforeApplying(answer, noLocalSimulcast, chromium)).not.toMatch(/a=(rid|simulcast):/);
    expect(editAnswerBeforeApplying(answer, noLocalSimulcast, { firefox: 128, vp9: false })).toContain(
      'a=simulcast:recv l',
    );
  });

  it('reads the VP9 option and Firefox from the user agent as the SDK does', () => {
    const chrome = (version: number, head = '') =>
      `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ${head}Chrome/${version}.0.0.0 Safari/537.36`;
    expect(clientTraits(chrome(156), true)).toEqual({ vp9: true });
    expect(clientTraits(chrome(110), true)).toEqual({ vp9: false });
    expect(clientTraits(chrome(156).replace(' Chrome/', ' HeadlessChrome/'), true)).toEqual({ vp9: false });
    expect(clientTraits(chrome(156), false)).toEqual({ vp9: false });
    expect(
      clientTraits('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', true),
    ).toEqual({
      firefox: 128,
      vp9: false,
    });
  });
});

describe('the platform’s answers to the real SDK’s offers, after the SDK’s edit', () => {
  const router = JSON.parse(
    readFileSync(join(CAPTURES, '../router-capabilities.json'), 'utf8'),
  ) as types.RtpCapabilities;
  const transport = {
    iceParameters: { usernameFragment: 'u', password: 'p' },
    iceCandidates: [
      { foundation: 'udp', priority: 1, address: '127.0.0.1', protocol: 'udp' as const, port: 40000 },
    ],
    fingerprints: [{ algorithm: 'sha-256', value: 'AA' }],
  };
  /** How a media node answers publishing lines (subscriptions are answered inactive here). */
  function answer(offerSdp: string) {
    const offer = parseOffer(offerSdp);
    const producers = new Map<string, types.RtpParameters>();
    const answers = offer.lines.map((line): LineAnswer => {
      if (line.kind === 'application') return { mode: 'datachannel' };
      const publishing = line.index >= 1 && line.index <= 4;
      const produced =
        publishing && line.direction === 'sendonly'
          ? producerParameters(line, router, DEFAULT_PUBLISHING_POLICY)
          : null;
      if (produced) {
        producers.set(line.mid, produced);
        return { mode: 'receive', parameters: produced };
      }
      const parameters = publishing
        ? publishedParameters(line, router, DEFAULT_PUBLISHING_POLICY)
        : negotiatedParameters(line, router);
      return { mode: 'inactive', parameters };
    });
    return { sdp: buildAnswer(offer, transport, answers), producers };
  }

  it.each(rounds.map((r) => [`${r.scenario}/${r.round}`, r] as const))(
    '%s: the browser sends exactly the codec its producer is made for',
    (_name, round) => {
      const traits = { vp9: round.scenario.includes('vp9') };
      const { sdp, producers } = answer(round.read('offer'));
      const applied = sections(editAnswerBeforeApplying(sdp, round.read('local-before-send'), traits));
      for (const index of [2, 4]) {
        if (!applied[index]) continue;
        const payloads = mLine(applied[index]).split(' ').slice(3);
        // One video codec and its RTX: whatever the SDK moves to the front, this is what it sends.
        expect(payloads.length).toBeLessThanOrEqual(2);
        const producer = producers.get(String(index));
        if (!producer) continue;
        expect(Number(payloads[0])).toBe(producer.codecs[0].payloadType);
        expect(producer.codecs[0].mimeType).toBe(traits.vp9 ? 'video/VP9' : 'video/VP8');
        expect(producer.encodings?.[0].scalabilityMode).toBe(traits.vp9 ? 'L3T3_KEY' : 'L1T3');
      }
    },
  );

  it('an operator who prefers H264 for simulcast gets H264 from the SDK', () => {
    const offer = parseOffer(readFileSync(join(CAPTURES, 'a-join-publish/04-publish-offer.sdp'), 'utf8'));
    const camera = producerParameters(offer.lines[2], router, {
      simulcast: ['H264', 'VP8'],
      single: ['VP9'],
    })!;
    expect(camera.codecs.map((c) => c.mimeType)).toEqual(['video/H264', 'video/rtx']);
    expect(camera.codecs[0].parameters).toMatchObject({
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
    });
    expect(camera.encodings?.every((e) => e.scalabilityMode === undefined)).toBe(true);
    const vp9 = producerParameters(offer.lines[2], router, { simulcast: ['VP9'], single: ['VP8'] })!;
    expect(vp9.codecs[0].mimeType).toBe('video/VP9');
    const vp8Only = {
      ...offer.lines[2],
      codecs: offer.lines[2].codecs.filter((c) => c.mimeType === 'video/VP8'),
    };
    expect(producerParameters(vp8Only, router, { simulcast: ['H264'], single: ['VP8'] })).toBeNull();
  });
});
