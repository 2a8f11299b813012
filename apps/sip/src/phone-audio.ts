import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import {
  decodeALaw,
  decodeMuLaw,
  DtmfReceiver,
  encodeALaw,
  encodeMuLaw,
  G722Decoder,
  G722Encoder,
  JitterBuffer,
  OpusDecoder,
  OpusEncoder,
  Resampler,
} from '@mind/audio';
import { parseRtp, serializeRtp } from '@mind/rtp';
import type { PhoneCodec, PhoneMedia } from './phone-sdp';

/** The conference side speaks Opus at 48 kHz, mono, in 20 ms frames. */
const RATE = 48_000;
const FRAME_MS = 20;
const FRAME_SAMPLES = (RATE * FRAME_MS) / 1000;
/** The media node's Opus payload type (the router's, `MEDIA_CODECS`). */
export const VOICE_PAYLOAD_TYPE = 111;
/** No RTP from the phone for this long: its audio counts as stopped (`media.audio` false). */
const SILENT_AFTER_MS = 2000;

export interface PhoneAudioEvents {
  /** RTP from the phone started or stopped flowing. */
  flowing: [flowing: boolean];
  /** The phone sent a DTMF key (RFC 4733). */
  dtmf: [digit: string];
}

/** A packet the jitter buffer holds: its payload type decides the decoder. */
interface Frame {
  payloadType: number;
  payload: Buffer;
}

/** A phone codec's decoder to 48 kHz and encoder from it, with their per-stream state. */
interface PhoneCodecChain {
  decode(payload: Buffer): Int16Array;
  conceal(): Int16Array;
  encode(samples: Int16Array): Buffer;
  /** RTP timestamp units per frame. */
  frameTicks: number;
  close(): void;
}

function g711Chain(law: 'PCMU' | 'PCMA'): PhoneCodecChain {
  const [decode, encode] = law === 'PCMU' ? [decodeMuLaw, encodeMuLaw] : [decodeALaw, encodeALaw];
  const up = new Resampler(8000, RATE);
  const down = new Resampler(RATE, 8000);
  const silence = new Int16Array(FRAME_SAMPLES / 6);
  return {
    decode: (payload) => up.process(decode(payload)),
    conceal: () => up.process(silence),
    encode: (samples) => encode(down.process(samples)),
    frameTicks: 160,
    close: () => undefined,
  };
}

function g722Chain(): PhoneCodecChain {
  const decoder = new G722Decoder();
  const encoder = new G722Encoder();
  const up = new Resampler(16000, RATE);
  const down = new Resampler(RATE, 16000);
  return {
    decode: (payload) => up.process(decoder.decode(payload)),
    // The codec has no concealment of its own: a lost frame is silence.
    conceal: () => new Int16Array(FRAME_SAMPLES),
    encode: (samples) => encoder.encode(down.process(samples)),
    // 8 kHz RTP clock (RFC 3551).
    frameTicks: 160,
    close: () => {
      decoder.close();
      encoder.close();
    },
  };
}

function opusChain(): PhoneCodecChain {
  const decoder = new OpusDecoder(RATE, 1);
  const encoder = new OpusEncoder(RATE, 1);
  return {
    decode: (payload) => decoder.decode(payload),
    conceal: () => decoder.conceal(FRAME_MS),
    encode: (samples) => encoder.encode(samples),
    frameTicks: FRAME_SAMPLES,
    close: () => {
      decoder.close();
      encoder.close();
    },
  };
}

const chainFor = (codec: PhoneCodec): PhoneCodecChain =>
  codec.name === 'opus' ? opusChain() : codec.name === 'G722' ? g722Chain() : g711Chain(codec.name);

/** An RTP sender: sequence numbers and timestamps of one SSRC. */
class RtpSender {
  readonly ssrc = randomInt(1, 2 ** 32 - 1);
  private sequence = randomInt(0, 0xffff);
  private timestamp = randomInt(0, 2 ** 32 - 1);

  constructor(private readonly payloadType: number) {}

  next(payload: Buffer, ticks: number, payloadType = this.payloadType): Buffer {
    const packet = serializeRtp(
      { payloadType, marker: false, sequence: this.sequence, timestamp: this.timestamp, ssrc: this.ssrc },
      payload,
    );
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + ticks) >>> 0;
    return packet;
  }
}

/** Binds a UDP socket on the first free port of a range (each call takes one). */
async function bindInRange(ip: string, min: number, max: number): Promise<Socket> {
  const span = max - min + 1;
  const start = randomInt(0, span);
  for (let i = 0; i < Math.min(span, 64); i++) {
    const port = min + ((start + i) % span);
    const socket = createSocket('udp4');
    const bound = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, ip, () => resolve(true));
    });
    if (bound) return socket;
    socket.close();
  }
  throw new Error(`no free RTP port in ${min}-${max}`);
}

async function bindAny(ip: string): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, ip, () => resolve());
  });
  return socket;
}

/**
 * A call's audio between the phone and the media node, transcoded in both directions on a 20 ms
 * clock: the phone's RTP (G.711, G.722 or Opus) through a jitter buffer into Opus for the conference, and the
 * conference's Opus (what the participant hears) into the phone's codec. The phone's address is
 * latched from its first packet (symmetric RTP: phones behind NAT, or sending from another address
 * than their SDP says); packets from anyone else are dropped.
 */
export class PhoneAudio extends EventEmitter<PhoneAudioEvents> {
  private readonly toMedia = new RtpSender(VOICE_PAYLOAD_TYPE);
  private readonly voiceEncoder = new OpusEncoder(RATE, 1);
  private readonly hearingDecoder = new OpusDecoder(RATE, 1);
  private readonly fromPhone = new JitterBuffer<Frame>({ depth: 3 });
  private readonly fromMedia = new JitterBuffer<Buffer>({ depth: 2 });
  private readonly dtmf = new DtmfReceiver();
  private readonly silence = new Int16Array(FRAME_SAMPLES);
  private phone?: PhoneMedia;
  private toPhone?: RtpSender;
  private chains = new Map<number, PhoneCodecChain>();
  private phoneAddress?: { address: string; port: number };
  private latched = false;
  private media?: { ip: string; port: number };
  private lastFromPhone = 0;
  private flowing = false;
  private clock?: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly phoneSocket: Socket,
    private readonly mediaSocket: Socket,
    private readonly publicIp: string,
  ) {
    super();
    phoneSocket.on('message', (data, from) => this.fromPhoneSocket(data, from));
    mediaSocket.on('message', (data) => this.fromMediaSocket(data));
    // A socket error (ICMP unreachable on some systems) must not end the call or the process.
    phoneSocket.on('error', () => undefined);
    mediaSocket.on('error', () => undefined);
  }

  static async open(settings: {
    listenIp: string;
    announcedAddress?: string;
    rtpMinPort: number;
    rtpMaxPort: number;
    mediaIp: string;
  }): Promise<PhoneAudio> {
    const phoneSocket = await bindInRange(settings.listenIp, settings.rtpMinPort, settings.rtpMaxPort);
    let mediaSocket: Socket;
    try {
      mediaSocket = await bindAny(settings.mediaIp);
    } catch (error) {
      phoneSocket.close();
      throw error;
    }
    return new PhoneAudio(phoneSocket, mediaSocket, settings.announcedAddress ?? settings.listenIp);
  }

  /** Where the phone is to send its RTP (our SDP offer). */
  get phoneEnd(): { ip: string; port: number } {
    return { ip: this.publicIp, port: this.phoneSocket.address().port };
  }

  /** Where the media node sends what the participant hears, and where the voice comes from. */
  get mediaEnd(): { ip: string; port: number } {
    const { address, port } = this.mediaSocket.address();
    return { ip: address, port };
  }

  get voiceSsrc(): number {
    return this.toMedia.ssrc;
  }

  /**
   * Takes the phone's RTP from its answer on: its keys and whether it flows count at once, since a
   * phone may send both right after answering, before the media node's leg is open (`bridge`).
   */
  answered(phone: PhoneMedia): void {
    this.phone = phone;
    this.phoneAddress = { address: phone.ip, port: phone.port };
    this.toPhone = new RtpSender(phone.codec.payloadType);
    for (const codec of phone.accepted) this.chains.set(codec.payloadType, chainFor(codec));
    const started = performance.now();
    let ticks = 0;
    // Frames are due every 20 ms from the start; each timeout aims at the next one, so timer lateness
    // does not add up into drift.
    const tick = () => {
      if (this.closed) return;
      ticks++;
      this.tick();
      this.clock = setTimeout(tick, Math.max(0, started + (ticks + 1) * FRAME_MS - performance.now()));
    };
    this.clock = setTimeout(tick, FRAME_MS);
  }

  /** Sends the phone's voice to the media node's leg from now on. */
  bridge(media: { ip: string; port: number }): void {
    this.media = media;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.clock);
    this.phoneSocket.close();
    this.mediaSocket.close();
    this.voiceEncoder.close();
    this.hearingDecoder.close();
    for (const chain of this.chains.values()) chain.close();
  }

  private fromPhoneSocket(data: Buffer, from: RemoteInfo) {
    const packet = parseRtp(data);
    if (!packet || !this.phone || !this.phoneAddress) return;
    if (this.latched) {
      if (from.address !== this.phoneAddress.address || from.port !== this.phoneAddress.port) return;
    } else {
      this.phoneAddress = { address: from.address, port: from.port };
      this.latched = true;
    }
    this.lastFromPhone = performance.now();
    if (!this.flowing) this.setFlowing(true);
    if (packet.payloadType === this.phone.telephoneEvent) {
      const digit = this.dtmf.receive(packet.timestamp, packet.payload);
      if (digit) this.emit('dtmf', digit);
      return;
    }
    if (!this.chains.has(packet.payloadType)) return;
    this.fromPhone.push(packet.sequence, { payloadType: packet.payloadType, payload: packet.payload });
  }

  private fromMediaSocket(data: Buffer) {
    const packet = parseRtp(data);
    if (!packet || packet.payloadType !== VOICE_PAYLOAD_TYPE) return;
    this.fromMedia.push(packet.sequence, packet.payload);
  }

  private tick() {
    this.voiceToMedia();
    this.hearingToPhone();
    if (this.flowing && performance.now() - this.lastFromPhone > SILENT_AFTER_MS) this.setFlowing(false);
  }

  private voiceToMedia() {
    const frame = this.fromPhone.pop();
    if (frame === undefined || !this.media) return;
    const chain = frame ? this.chains.get(frame.payloadType) : this.chains.get(this.phone!.codec.payloadType);
    if (!chain) return;
    let samples: Int16Array;
    try {
      samples = frame ? chain.decode(frame.payload) : chain.conceal();
    } catch {
      // A corrupt packet is a lost one.
      samples = chain.conceal();
    }
    const packet = this.toMedia.next(this.voiceEncoder.encode(fit(samples)), FRAME_SAMPLES);
    this.mediaSocket.send(packet, this.media.port, this.media.ip);
  }

  private hearingToPhone() {
    if (!this.phone || !this.phoneAddress || !this.toPhone) return;
    const frame = this.fromMedia.pop();
    let samples: Int16Array = this.silence;
    if (frame !== undefined) {
      try {
        samples = fit(frame ? this.hearingDecoder.decode(frame) : this.hearingDecoder.conceal(FRAME_MS));
      } catch {
        samples = this.silence;
      }
    }
    const chain = this.chains.get(this.phone.codec.payloadType)!;
    const packet = this.toPhone.next(chain.encode(samples), chain.frameTicks);
    this.phoneSocket.send(packet, this.phoneAddress.port, this.phoneAddress.address);
  }

  private setFlowing(flowing: boolean) {
    this.flowing = flowing;
    this.emit('flowing', flowing);
  }
}

/** Exactly one 20 ms frame: decoders may give a frame of another length (a 10 ms or 60 ms packet). */
function fit(samples: Int16Array): Int16Array {
  if (samples.length === FRAME_SAMPLES) return samples;
  const frame = new Int16Array(FRAME_SAMPLES);
  frame.set(samples.subarray(0, FRAME_SAMPLES));
  return frame;
}
