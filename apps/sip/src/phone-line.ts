import { randomInt } from 'node:crypto';
import type {
  DialStatus,
  PresenceReport,
  SipCallCommand,
  SipCallReply,
  SipDialRequest,
  TraceId,
} from '@mind/contracts';
import { RPC } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import type { ProtocolBus, Unsubscribable } from '@mind/messaging';
import { parseSipAddress } from '@mind/sip';
import type { OutboundCall } from './outbound-call';
import { PhoneAudio, VOICE_PAYLOAD_TYPE } from './phone-audio';
import { phoneOffer, readPhoneAnswer } from './phone-sdp';

export interface PhoneLineServices {
  bus: ProtocolBus;
  logger: Logger;
  /** The gateway's incarnation: phone-line sessions are named after it, so its death takes them offline. */
  incarnation: string;
  /** The line is over: forget it. */
  released: (line: PhoneLine) => void;
}

const NO_MEDIA = { audio: false, video: false };
/**
 * A phone that sends no RTP for this long is gone without a BYE (unplugged, out of coverage): the call
 * is ended, as gateways do. Until its first packet, the same wait counts from the answer.
 */
const SILENT_PHONE_MS = 60_000;

/**
 * A participant's phone line: the call the gateway placed for it, the call's audio bridged through
 * the media node hosting the conference, and the participant's presence (`online` while the call is
 * up, `media.audio` while the phone's RTP flows). Everything it opened is closed once, whichever way
 * the call ends (hang-up on either side, a failed bridge, the gateway shutting down).
 */
export class PhoneLine {
  readonly sessionId: string;
  private legOpen = false;
  private online = false;
  private flowing = false;
  private control?: Unsubscribable;
  private reports: Promise<void> = Promise.resolve();
  private released = false;
  private silence?: NodeJS.Timeout;

  constructor(
    readonly request: SipDialRequest,
    private readonly call: OutboundCall,
    private readonly audio: PhoneAudio,
    private readonly services: PhoneLineServices,
  ) {
    this.sessionId = `${services.incarnation}:${call.callId}`;
    call.on('ended', (by) => {
      this.log().info({ by }, 'call ended');
      void this.release();
    });
    audio.on('flowing', (flowing) => {
      this.flowing = flowing;
      this.watchSilence();
      if (this.online) void this.report();
    });
    audio.on('dtmf', (digit) => void this.keyPressed(digit));
  }

  get participantId(): string {
    return this.request.participantId;
  }

  /** Places the call and, once answered, bridges its audio; the dial's status. */
  async dial(): Promise<DialStatus> {
    const { bus } = this.services;
    const { request } = this;
    this.control = bus.serve(RPC.sipCall, 'sip', (command) => this.command(command), request.participantId);
    const { ip, port } = this.audio.phoneEnd;
    const result = await this.call.dial(phoneOffer(ip, port, randomInt(1, 2 ** 31)), request.timeoutS * 1000);
    this.log().info({ status: result.status }, 'dial settled');
    if (result.status !== 'answered') {
      void this.release();
      return result.status;
    }
    try {
      const phone = readPhoneAnswer(result.answer ?? '');
      this.audio.answered(phone);
      const leg = await bus.call(
        RPC.phoneLeg,
        {
          conferenceId: request.conferenceId,
          participantId: request.participantId,
          rtp: this.audio.mediaEnd,
          voice: { payloadType: VOICE_PAYLOAD_TYPE, ssrc: this.audio.voiceSsrc },
          traceId: request.traceId,
        },
        {},
        request.nodeId,
      );
      if (leg.status !== 200) throw new Error(`media node: ${leg.error}`);
      this.legOpen = true;
      if (this.released) {
        // Hung up while the leg was opening.
        await this.closeLeg();
        return 'interrupted';
      }
      this.audio.bridge(leg.rtp);
      this.log().info({ codec: phone.codec.name, media: leg.rtp }, 'call audio bridged');
    } catch (error) {
      this.log().warn({ err: error }, 'the answered call could not be bridged; hanging up');
      this.call.hangup();
      void this.release();
      return 'error';
    }
    this.online = true;
    this.watchSilence();
    // Whoever reads the participant once the dial has answered sees it online.
    await this.report();
    return 'answered';
  }

  /** Ends the call (BYE or CANCEL); the line is released when it has. */
  hangup(): void {
    this.call.hangup();
    if (!this.call.answered) void this.release();
  }

  private async command(command: SipCallCommand): Promise<SipCallReply> {
    this.log().info({ action: command.action, traceId: command.traceId }, 'call command');
    if (command.action === 'hangup') {
      this.hangup();
      return { status: 200 };
    }
    const destination = parseSipAddress(command.destination);
    if (!destination.ok) return { status: 409, error: `destination ${destination.error}` };
    const transfer = await this.call.forward(destination.address);
    return transfer.ok ? { status: 200 } : { status: transfer.status, error: transfer.error };
  }

  private watchSilence() {
    clearTimeout(this.silence);
    if (this.flowing || this.released) return;
    this.silence = setTimeout(() => {
      this.log().warn({ silentMs: SILENT_PHONE_MS }, 'no RTP from the phone: hanging up');
      this.hangup();
    }, SILENT_PHONE_MS);
    this.silence.unref();
  }

  /** Keys are told one after the other, in the order they were pressed. */
  private keyPressed(digit: string): Promise<void> {
    const { conferenceId, participantId } = this.request;
    const report = { conferenceId, participantId, digit, at: Date.now() };
    return this.inOrder('key not reported', async () => {
      await this.services.bus.call(RPC.sipDtmf, report);
    });
  }

  /** What the line tells the conference service goes out one message after the other; a failure is logged. */
  private inOrder(failure: string, tell: () => Promise<void>): Promise<void> {
    this.reports = this.reports.then(() => tell().catch((error) => this.log().warn({ err: error }, failure)));
    return this.reports;
  }

  /** Presence reports go out one after the other, so the last one told is the line's state. */
  private report(): Promise<void> {
    const { conferenceId, participantId } = this.request;
    const report: PresenceReport = {
      conferenceId,
      participantId,
      sessionId: this.sessionId,
      online: this.online,
      media: { audio: this.online && this.flowing, video: false },
      secondaryMedia: NO_MEDIA,
    };
    return this.inOrder('presence report failed', async () => {
      const reply = await this.services.bus.call(RPC.presence, report);
      // The participant or its conference is gone: so is the reason for the call.
      if (reply.status === 404 && report.online) this.hangup();
    });
  }

  private async release() {
    if (this.released) return;
    this.released = true;
    clearTimeout(this.silence);
    this.control?.unsubscribe();
    this.audio.close();
    if (this.online) {
      this.online = false;
      void this.report();
    }
    this.services.released(this);
    if (this.legOpen) await this.closeLeg();
  }

  private async closeLeg() {
    this.legOpen = false;
    const { conferenceId, participantId, nodeId } = this.request;
    await this.services.bus
      .call(RPC.phoneLegClose, { conferenceId, participantId }, {}, nodeId)
      .catch((error) => this.log().warn({ err: error }, 'phone leg not closed on the media node'));
  }

  private log(): Logger {
    const { conferenceId, participantId, traceId } = this.request;
    return this.services.logger.child({
      conferenceId,
      participantId,
      traceId: traceId as TraceId,
      callId: this.call.callId,
    });
  }
}
