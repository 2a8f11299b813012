import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'sdp-transform';
import type { types } from 'mediasoup';
import { buildAnswer, localDtlsRole, type LineAnswer, type ServerTransport } from './answer';
import { parseOffer, SdpError } from './offer';
import {
  DEFAULT_PUBLISHING_POLICY,
  negotiatedParameters,
  producerParameters,
  receiverCapabilities,
} from './rtp-mapping';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures', name), 'utf8');
/** The capabilities of a real router made with MEDIA_CODECS (checked against one in the worker test). */
const router = JSON.parse(fixture('router-capabilities.json')) as types.RtpCapabilities;
const P1 = '2f8e7a4c-1111-4a2b-9c3d-000000000001';

const server: ServerTransport = {
  iceParameters: { usernameFragment: 'serverufrag', password: 'serverpassword' },
  iceCandidates: [
    { foundation: 'udpcandidate', priority: 1076302079, address: '127.0.0.1', protocol: 'udp', port: 40000 },
    {
      foundation: 'tcpcandidate',
      priority: 1076276479,
      address: '127.0.0.1',
      protocol: 'tcp',
      port: 40001,
      tcpType: 'passive',
    },
  ],
  fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }],
  sctp: { port: 5000, maxMessageSize: 262144 },
};

describe('parseOffer', () => {
  it('reads the first offer: one data channel line', () => {
    const offer = parseOffer(fixture('chromium-datachannel-only.sdp'));
    expect(offer.lines).toHaveLength(1);
    expect(offer.lines[0]).toMatchObject({ mid: '0', kind: 'application', sctpPort: 5000 });
    expect(offer.setup).toBe('actpass');
    expect(offer.fingerprint.algorithm).toBe('sha-256');
  });

  it('reads the full layout with labels, simulcast rids and subscription hints', () => {
    const offer = parseOffer(fixture('chromium-full-camera-mic.sdp'));
    expect(offer.lines.map((l) => [l.mid, l.kind, l.direction, l.label])).toEqual([
      ['0', 'application', 'sendrecv', null],
      ['1', 'audio', 'sendonly', 'me#primary'],
      ['2', 'video', 'sendonly', 'me#primary'],
      ['3', 'audio', 'inactive', null],
      ['4', 'video', 'inactive', null],
      ['5', 'audio', 'recvonly', `${P1}#primary`],
      ['6', 'video', 'recvonly', `${P1}#primary`],
    ]);
    expect(offer.lines[2].encodings).toEqual([{ rid: 'l' }, { rid: 'm' }, { rid: 'h' }]);
    expect(offer.lines[1].encodings).toHaveLength(1);
    expect(offer.lines[6]).toMatchObject({
      maxBitrate: 500000,
      preferences: { maxFrameArea: 230400, maxFrameRate: 15 },
    });
  });

  it('reads SSRC simulcast (SIM group) with its RTX SSRCs', () => {
    const camera = parseOffer(fixture('chromium-ssrc-sim.sdp')).lines[2];
    expect(camera.encodings).toEqual([
      { ssrc: 1111111101, rtxSsrc: 1111111102 },
      { ssrc: 2222222201, rtxSsrc: 2222222202 },
      { ssrc: 3333333301, rtxSsrc: 3333333302 },
    ]);
  });

  it('reads the attendee case: four inactive send lines and conference subscriptions', () => {
    const offer = parseOffer(fixture('chromium-four-inactive.sdp'));
    expect(offer.lines.slice(1, 5).every((l) => l.direction === 'inactive')).toBe(true);
    expect(offer.lines.slice(5).map((l) => [l.kind, l.label])).toEqual([
      ['audio', 'conference'],
      ['video', 'conference'],
      ['video', '2f8e7a4c-1111-4a2b-9c3d-000000000002#secondary'],
    ]);
  });

  it("reads Firefox's bundle-only lines (port 0) as the directions they have", () => {
    const offer = parseOffer(fixture('firefox-full-camera-mic.sdp'));
    expect(offer.lines.map((l) => l.direction)).toEqual([
      'sendrecv',
      'sendonly',
      'sendonly',
      'inactive',
      'inactive',
      'recvonly',
      'recvonly',
    ]);
    expect(offer.lines[2].encodings.map((e) => e.rid)).toEqual(['l', 'm', 'h']);
  });

  it('sees a new session in new ICE credentials', () => {
    const before = parseOffer(fixture('chromium-renegotiation-2-reused.sdp'));
    const same = parseOffer(fixture('chromium-renegotiation-1-released.sdp'));
    const fresh = parseOffer(fixture('chromium-new-ice-credentials.sdp'));
    expect(same.iceUfrag).toBe(before.iceUfrag);
    expect(fresh.iceUfrag).not.toBe(before.iceUfrag);
  });

  it('follows a released transceiver reused for another label', () => {
    const released = parseOffer(fixture('chromium-renegotiation-1-released.sdp')).lines[6];
    const reused = parseOffer(fixture('chromium-renegotiation-2-reused.sdp')).lines[6];
    expect([released.direction, released.label]).toEqual(['inactive', null]);
    expect([reused.direction, reused.label]).toEqual([
      'recvonly',
      '2f8e7a4c-1111-4a2b-9c3d-000000000003#primary',
    ]);
  });

  it.each([
    ['not SDP', 'hello'],
    ['no media', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n'],
    ['no ICE credentials', fixture('chromium-datachannel-only.sdp').replace(/a=ice-(ufrag|pwd):.*\r\n/g, '')],
    ['no fingerprint', fixture('chromium-datachannel-only.sdp').replace(/a=fingerprint:.*\r\n/g, '')],
    ['no mid', fixture('chromium-datachannel-only.sdp').replace(/a=mid:.*\r\n/g, '')],
  ])('refuses an offer with %s', (_name, sdp) => {
    expect(() => parseOffer(sdp)).toThrow(SdpError);
  });
});

describe('RTP mapping', () => {
  const offer = parseOffer(fixture('chromium-full-camera-mic.sdp'));

  it('makes producer parameters with the client payload types, VP8 first, simulcast by rid', () => {
    const video = producerParameters(offer.lines[2], router, DEFAULT_PUBLISHING_POLICY)!;
    // One video codec (and its RTX): the one the SDK will send after its edit of the answer.
    expect(video.codecs.map((c) => `${c.mimeType}/${c.payloadType}`)).toEqual([
      'video/VP8/96',
      'video/rtx/97',
    ]);
    // Temporal layers declared, as libwebrtc sends them: else subscribers get a quarter of the frames.
    expect(video.encodings).toEqual([
      { rid: 'l', scalabilityMode: 'L1T3' },
      { rid: 'm', scalabilityMode: 'L1T3' },
      { rid: 'h', scalabilityMode: 'L1T3' },
    ]);
    expect(video.mid).toBe('2');
    expect(video.headerExtensions!.map((e) => e.uri)).toContain(
      'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
    );
    const audio = producerParameters(offer.lines[1], router, DEFAULT_PUBLISHING_POLICY)!;
    expect(audio.codecs.map((c) => c.mimeType)).toEqual(['audio/opus']);
    expect(audio.encodings![0].ssrc).toEqual(expect.any(Number));
  });

  it('gives SSRC simulcast its RTX SSRCs', () => {
    const camera = producerParameters(
      parseOffer(fixture('chromium-ssrc-sim.sdp')).lines[2],
      router,
      DEFAULT_PUBLISHING_POLICY,
    )!;
    expect(camera.encodings).toEqual([
      { scalabilityMode: 'L1T3', ssrc: 1111111101, rtx: { ssrc: 1111111102 } },
      { scalabilityMode: 'L1T3', ssrc: 2222222201, rtx: { ssrc: 2222222202 } },
      { scalabilityMode: 'L1T3', ssrc: 3333333301, rtx: { ssrc: 3333333302 } },
    ]);
  });

  it('makes receiver capabilities with the subscriber payload types', () => {
    const caps = receiverCapabilities(offer.lines[6], router);
    expect(caps.codecs!.find((c) => c.mimeType === 'video/VP8')!.preferredPayloadType).toBe(96);
    expect(caps.codecs!.every((c) => c.kind === 'video')).toBe(true);
  });

  it('numbers header extensions as libwebrtc clients do, so their subscriptions need no renumbering', () => {
    const routerIds = new Map(router.headerExtensions!.map((e) => [`${e.kind} ${e.uri}`, e.preferredId]));
    let compared = 0;
    for (const line of offer.lines.filter((l) => l.kind !== 'application')) {
      for (const extension of line.headerExtensions) {
        const id = routerIds.get(`${line.kind} ${extension.uri}`);
        if (id === undefined) continue;
        expect({ uri: extension.uri, id }).toEqual({ uri: extension.uri, id: extension.id });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });
});

describe('buildAnswer', () => {
  const offer = parseOffer(fixture('chromium-full-camera-mic.sdp'));
  const consumer: types.RtpParameters = {
    mid: '6',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack', parameter: '' }],
      },
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
    ],
    encodings: [{ ssrc: 1234, rtx: { ssrc: 5678 } }],
    rtcp: { cname: 'mind' },
  };
  const answers: LineAnswer[] = offer.lines.map((line): LineAnswer => {
    if (line.kind === 'application') return { mode: 'datachannel' };
    if (line.direction === 'sendonly')
      return { mode: 'receive', parameters: producerParameters(line, router, DEFAULT_PUBLISHING_POLICY)! };
    if (line.mid === '6')
      return { mode: 'send', parameters: consumer, label: line.label!, trackId: 'track-1' };
    return { mode: 'inactive', parameters: negotiatedParameters(line, router) };
  });
  const answer = parse(buildAnswer(offer, server, answers));

  it('keeps every m-line, in order, with the same mids, bundled, none rejected', () => {
    expect(answer.media.map((m) => String(m.mid))).toEqual(offer.lines.map((l) => l.mid));
    expect(answer.groups).toEqual([{ type: 'BUNDLE', mids: '0 1 2 3 4 5 6' }]);
    expect(answer.media.every((m) => m.port !== 0)).toBe(true);
    expect(answer.icelite).toBe('ice-lite');
  });

  it('carries ICE, DTLS and every server candidate inline on each line', () => {
    for (const media of answer.media) {
      expect(media.iceUfrag).toBe('serverufrag');
      expect(media.fingerprint).toEqual({ type: 'sha-256', hash: 'AA:BB' });
      expect(media.setup).toBe('active');
      expect(media.candidates).toHaveLength(2);
    }
    expect(localDtlsRole(offer)).toBe('client');
  });

  it('answers the directions of the protocol', () => {
    expect(answer.media.map((m) => m.direction ?? null)).toEqual([
      null,
      'recvonly',
      'recvonly',
      'inactive',
      'inactive',
      'inactive',
      'sendonly',
    ]);
    expect(answer.media[0]).toMatchObject({
      protocol: 'UDP/DTLS/SCTP',
      payloads: 'webrtc-datachannel',
      sctpPort: 5000,
    });
  });

  it('echoes simulcast as recv with the same rids', () => {
    expect(answer.media[2].rids).toEqual([
      { id: 'l', direction: 'recv' },
      { id: 'm', direction: 'recv' },
      { id: 'h', direction: 'recv' },
    ]);
    expect(answer.media[2].simulcast).toMatchObject({ dir1: 'recv', list1: 'l;m;h' });
  });

  it('answers a subscription with the consumer SSRCs under the label, one encoding', () => {
    const line = answer.media[6];
    expect(line.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: '1234 5678' }]);
    expect(line.ssrcs!.filter((s) => s.attribute === 'msid').map((s) => s.value)).toEqual([
      `${P1}#primary track-1`,
      `${P1}#primary track-1`,
    ]);
    expect(line.rtp.map((r) => r.payload)).toEqual([96, 97]);
  });

  it('keeps codecs and extensions negotiated on inactive lines', () => {
    expect(answer.media[4].ext!.map((e) => e.uri)).toContain('urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id');
    expect(answer.media[4].rtp.length).toBeGreaterThan(0);
  });
});
