import type { types } from 'mediasoup';

/**
 * The codecs every conference router offers, in order of preference: a client sends the first of these
 * that it offered too (VP8 before H264, as simulcast works best with it in browsers).
 *
 * mediasoup consumers send with the router's payload types, and an answer cannot change what a client
 * expects to receive, so the router uses the payload types of libwebrtc-based clients (Chromium-based
 * browsers and the native SDKs). A subscriber that numbers a codec differently cannot be served from
 * this router (see `consumableOn` in the media node).
 */
export const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  {
    kind: 'audio',
    mimeType: 'audio/opus',
    preferredPayloadType: 111,
    clockRate: 48000,
    channels: 2,
    parameters: { useinbandfec: 1 },
  },
  { kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 96, clockRate: 90000 },
  {
    kind: 'video',
    mimeType: 'video/H264',
    preferredPayloadType: 108,
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/VP9',
    preferredPayloadType: 98,
    clockRate: 90000,
    parameters: { 'profile-id': 0 },
  },
];
