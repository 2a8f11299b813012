import { EventEmitter } from 'node:events';
import type * as sip from 'sip';
import { signRequest } from 'sip/digest';
import type { DialStatus } from '@mind/contracts';
import type { SipAddress } from '@mind/sip';
import { dialStatus, type LocalEnd } from './dial-outcome';
import { newToken, type SipEndpoint, type SipTransport } from './sip-endpoint';

export interface CallParties {
  from: SipAddress;
  to: SipAddress;
  /** Where the INVITE goes first (a proxy, or the callee's checked address), as a loose route. */
  firstHop?: string;
  transport: SipTransport;
  credentials?: { username: string; password: string };
}

export type CallEnd = 'local' | 'remote' | 'transferred';

export interface OutboundCallEvents {
  /** The call was answered and has ended now. */
  ended: [by: CallEnd];
}

export type Transfer = { ok: true } | { ok: false; status: 409 | 502; error: string };

const ALLOW = 'INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, OPTIONS, INFO';
/** A transfer the peer accepted must complete (its final NOTIFY) within this. */
const TRANSFER_TIMEOUT_MS = 32_000;

const nameAddr = (address: SipAddress, params?: Record<string, string>) => ({
  ...(address.displayName ? { name: `"${address.displayName.replace(/["\\]/g, '\\$&')}"` } : {}),
  uri: address.uri,
  ...(params ? { params } : {}),
});

/**
 * One call the gateway places (RFC 3261 UAC and its dialog): the INVITE with our SDP offer, one
 * digest retry when challenged, ACK of the 2xx (again for each retransmission), CANCEL while ringing
 * (only once the callee has sent a provisional response, §9.1), BYE, and transfer by REFER (RFC 3515).
 * `dial` settles once the call's fate is known: answered, refused, or given up (the ring timeout, a
 * hang-up), which never waits for the peer's confirmation.
 */
export class OutboundCall extends EventEmitter<OutboundCallEvents> {
  readonly callId = `${newToken()}@mind`;
  private readonly localTag = newToken();
  private cseq = 1;
  private invite?: sip.Request;
  private remoteTag?: string;
  private remoteTarget?: string;
  private routeSet: { uri: string }[] = [];
  private provisional = false;
  private state: 'new' | 'calling' | 'answered' | 'ended' = 'new';
  private localEnd: LocalEnd = null;
  private settle?: (result: { status: DialStatus; answer?: string }) => void;
  private ringTimer?: NodeJS.Timeout;
  private authenticated = false;
  private transfer?: { done: (result: Transfer) => void; timer: NodeJS.Timeout };

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly parties: CallParties,
  ) {
    super();
  }

  get answered(): boolean {
    return this.state === 'answered';
  }

  /** Places the call; settles with its status and, when answered, the callee's SDP answer. */
  dial(offer: string, ringTimeoutMs: number): Promise<{ status: DialStatus; answer?: string }> {
    if (this.state !== 'new') throw new Error('a call is dialled once');
    this.state = 'calling';
    this.endpoint.register(this.callId, (request) => this.inDialog(request));
    const outcome = new Promise<{ status: DialStatus; answer?: string }>((resolve) => {
      this.settle = (result) => {
        this.settle = undefined;
        clearTimeout(this.ringTimer);
        resolve(result);
      };
    });
    this.ringTimer = setTimeout(() => this.giveUp('ring-timeout'), ringTimeoutMs);
    this.sendInvite(offer);
    return outcome;
  }

  /** Ends the call at whatever stage it is: CANCEL while ringing, BYE once answered. */
  hangup(): void {
    if (this.state === 'calling') return this.giveUp('hung-up');
    if (this.state === 'answered') this.bye('local');
  }

  /** Asks the callee to call `destination` instead (REFER); our leg ends once it has. */
  forward(destination: SipAddress): Promise<Transfer> {
    if (this.state !== 'answered' || this.transfer) {
      return Promise.resolve({
        ok: false,
        status: 409,
        error: 'the call is not answered, or is being forwarded',
      });
    }
    return new Promise<Transfer>((done) => {
      const timer = setTimeout(
        () => this.transferDone({ ok: false, status: 502, error: 'the transfer did not complete in time' }),
        TRANSFER_TIMEOUT_MS,
      );
      this.transfer = { done, timer };
      const refer = this.inDialogRequest('REFER');
      refer.headers['refer-to'] = { uri: destination.uri };
      // The stack writes headers it does not know as they are given.
      refer.headers['referred-by'] = `<${this.parties.from.uri}>`;
      this.endpoint.send(refer, (response) => {
        if (response.status >= 300) {
          this.transferDone({
            ok: false,
            status: 502,
            error: `the phone refused the transfer: ${response.status} ${response.reason}`.trim(),
          });
        }
      });
    });
  }

  private sendInvite(offer: string, challenge?: sip.Response) {
    const request: sip.Request = {
      method: 'INVITE',
      uri: this.parties.to.uri,
      headers: {
        to: nameAddr(this.parties.to),
        from: nameAddr(this.parties.from, { tag: this.localTag }),
        'call-id': this.callId,
        cseq: { method: 'INVITE', seq: this.cseq },
        contact: [{ uri: this.endpoint.contact(this.parties.transport) }],
        'max-forwards': 70,
        allow: ALLOW,
        'content-type': 'application/sdp',
        ...(this.parties.firstHop ? { route: [{ uri: this.parties.firstHop }] } : {}),
      },
      content: offer,
    };
    if (challenge && this.parties.credentials) {
      const { username, password } = this.parties.credentials;
      signRequest({}, request, challenge, { user: username, password });
    }
    this.invite = request;
    this.endpoint.send(request, (response) => this.inviteResponse(response, offer));
  }

  private inviteResponse(response: sip.Response, offer: string) {
    const { status } = response;
    if (status < 200) {
      this.provisional ||= status > 100;
      // A hang-up or timeout that came before the first provisional response may cancel now.
      if (this.localEnd && this.provisional) this.cancel();
      return;
    }
    if (status < 300) return this.accepted(response);
    const challenged = status === 401 || status === 407;
    if (challenged && !this.authenticated && this.parties.credentials && this.state === 'calling') {
      this.authenticated = true;
      this.cseq++;
      try {
        return this.sendInvite(offer, response);
      } catch {
        // A challenge the digest code cannot read (no Digest scheme) ends the call as an error.
      }
    }
    this.finish(dialStatus(status, response.reason, this.localEnd));
  }

  private accepted(response: sip.Response) {
    const first = this.remoteTag === undefined;
    if (first) {
      this.remoteTag = response.headers.to?.params?.tag ?? undefined;
      const contact = response.headers.contact;
      const target = Array.isArray(contact) ? contact[0]?.uri : undefined;
      this.remoteTarget = typeof target === 'string' ? target : this.parties.to.uri;
      this.routeSet = [...(response.headers['record-route'] ?? [])]
        .reverse()
        .map((route) => ({ uri: String(route.uri) }));
    }
    this.ack();
    if (!first) return;
    if (this.state !== 'calling' || this.localEnd) {
      // Answered after we gave up: the call exists for the callee, so it is ended properly.
      this.state = 'answered';
      return this.bye('local');
    }
    this.state = 'answered';
    this.settle?.({ status: 'answered', answer: response.content });
  }

  private ack() {
    if (!this.invite) return;
    const ack = this.inDialogRequest('ACK');
    ack.headers.cseq = { method: 'ACK', seq: (this.invite.headers.cseq as sip.CSeq).seq };
    ack.headers.via = [];
    this.endpoint.send(ack);
  }

  private giveUp(reason: Exclude<LocalEnd, null>) {
    if (this.state !== 'calling' || this.localEnd) return;
    this.localEnd = reason;
    this.settle?.({ status: reason === 'hung-up' ? 'interrupted' : 'timeout' });
    if (this.provisional) this.cancel();
    // Without a provisional response the INVITE transaction times out by itself (Timer B).
  }

  private cancel() {
    if (!this.invite) return;
    const invite = this.invite;
    const cancel: sip.Request = {
      method: 'CANCEL',
      uri: invite.uri,
      headers: {
        to: invite.headers.to,
        from: invite.headers.from,
        'call-id': this.callId,
        cseq: { method: 'CANCEL', seq: (invite.headers.cseq as sip.CSeq).seq },
        // The INVITE's own Via (its branch), which the stack added when it sent it.
        via: invite.headers.via?.slice(0, 1),
        ...(invite.headers.route ? { route: invite.headers.route } : {}),
        'max-forwards': 70,
      },
    };
    this.endpoint.send(cancel);
  }

  private bye(by: CallEnd) {
    if (this.state !== 'answered') return;
    this.endpoint.send(this.inDialogRequest('BYE'));
    this.end(by);
  }

  private inDialogRequest(method: string): sip.Request {
    return {
      method,
      uri: this.remoteTarget ?? this.parties.to.uri,
      headers: {
        to: { ...nameAddr(this.parties.to), params: { tag: this.remoteTag ?? '' } },
        from: nameAddr(this.parties.from, { tag: this.localTag }),
        'call-id': this.callId,
        cseq: { method, seq: method === 'ACK' ? this.cseq : ++this.cseq },
        contact: [{ uri: this.endpoint.contact(this.parties.transport) }],
        'max-forwards': 70,
        ...(this.routeSet.length ? { route: this.routeSet } : {}),
      },
    };
  }

  private inDialog(request: sip.Request) {
    if (request.method === 'ACK') return;
    const fromTag = request.headers.from?.params?.tag;
    if (this.state !== 'answered' || fromTag !== this.remoteTag) {
      return this.endpoint.respond(request, 481, 'Call/Transaction Does Not Exist');
    }
    switch (request.method) {
      case 'BYE':
        this.endpoint.respond(request, 200, 'OK');
        return this.end('remote');
      case 'NOTIFY':
        this.endpoint.respond(request, 200, 'OK');
        return this.transferProgress(request.content ?? '');
      case 'INVITE':
        // Holds and codec changes are not taken; the session goes on as it was (RFC 3261 §14.2).
        return this.endpoint.respond(request, 488, 'Not Acceptable Here');
      case 'OPTIONS':
      case 'INFO':
        return this.endpoint.respond(request, 200, 'OK');
      default:
        return this.endpoint.respond(request, 405, 'Method Not Allowed');
    }
  }

  /** A NOTIFY of the REFER's subscription: its body is the status line of the new call (`message/sipfrag`). */
  private transferProgress(body: string) {
    const status = Number(/^SIP\/2\.0 (\d{3})/.exec(body.trim())?.[1]);
    if (!this.transfer || !status || status < 200) return;
    if (status >= 300) {
      return this.transferDone({ ok: false, status: 502, error: `the transfer target answered ${status}` });
    }
    this.transferDone({ ok: true });
    // The transferee does not always end our leg itself (baresip does not).
    this.bye('transferred');
  }

  private transferDone(result: Transfer) {
    if (!this.transfer) return;
    clearTimeout(this.transfer.timer);
    this.transfer.done(result);
    this.transfer = undefined;
  }

  private finish(status: DialStatus) {
    this.settle?.({ status });
    this.state = 'ended';
    this.endpoint.release(this.callId);
  }

  private end(by: CallEnd) {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.transferDone({ ok: false, status: 502, error: 'the call ended' });
    this.endpoint.release(this.callId);
    this.emit('ended', by);
  }
}
