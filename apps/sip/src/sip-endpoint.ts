import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import * as sip from 'sip';
import type { Logger } from '@mind/logging';

export interface SipEndpointOptions {
  listenIp: string;
  port: number;
  /** What peers reach us at (Via, Contact), when it differs from `listenIp`. */
  announcedAddress?: string;
  tls: { port: number; caFile: string; certFile?: string; keyFile?: string };
}

export type SipTransport = 'udp' | 'tcp' | 'tls';

/** What a dialog does with requests its peer sends inside it (BYE, NOTIFY, re-INVITE...). */
export type InDialogHandler = (request: sip.Request) => void;

/** Headers of a SIP message are this long at most, bodies this long (the stack closes a flow beyond). */
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_BODY_BYTES = 16 * 1024;

/**
 * The gateway's SIP transport and transaction layer (the `sip` package over UDP and TCP), and the
 * dispatch of incoming requests to the dialogs they belong to, by Call-ID. The gateway only calls
 * out: a request outside every dialog is refused without effect on the calls.
 */
export class SipEndpoint {
  private readonly stack: sip.Stack;
  private readonly dialogs = new Map<string, InDialogHandler>();
  /** Per address a TLS connection goes to, the names we meant to reach there. */
  private readonly tlsNames = new Map<string, Set<string>>();
  readonly address: string;

  constructor(
    readonly options: SipEndpointOptions,
    private readonly logger: Logger,
    onTransportError: (error: NodeJS.ErrnoException) => void,
  ) {
    this.address = options.announcedAddress ?? options.listenIp;
    this.stack = sip.create(
      {
        address: options.listenIp,
        port: options.port,
        publicAddress: this.address,
        udp: true,
        tcp: true,
        tls_port: options.tls.port,
        tls: {
          ca: readFileSync(options.tls.caFile),
          ...(options.tls.certFile
            ? { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile!) }
            : {}),
          checkServerIdentity: (host: string, cert: PeerCertificate) => this.checkIdentity(host, cert),
        },
        maxBytesHeaders: MAX_HEADER_BYTES,
        maxContentLength: MAX_BODY_BYTES,
        logger: { error: (error) => this.logger.debug({ err: error }, 'SIP stack error') },
        onTransportError,
      },
      (request, remote) => this.incoming(request, remote),
    );
  }

  /** Our Contact for a dialog on `transport`. */
  contact(transport: SipTransport): string {
    if (transport === 'tls') return `sip:mind@${this.address}:${this.options.tls.port};transport=tls`;
    const params = transport === 'tcp' ? ';transport=tcp' : '';
    return `sip:mind@${this.address}:${this.options.port}${params}`;
  }

  /**
   * The stack connects TLS to the address a call was pinned to: the peer's certificate must be valid
   * for a name a call to that address was meant for (`expectTlsName` before dialling), or for the
   * address itself.
   */
  expectTlsName(address: string, name: string): void {
    let names = this.tlsNames.get(address);
    if (!names) this.tlsNames.set(address, (names = new Set()));
    names.add(name);
  }

  private checkIdentity(address: string, cert: PeerCertificate): Error | undefined {
    for (const name of this.tlsNames.get(address) ?? []) {
      if (checkServerIdentity(name, cert) === undefined) return undefined;
    }
    return checkServerIdentity(address, cert);
  }

  /** Sends a request; `onResponse` hears each response of its transaction (none for ACK). */
  send(request: sip.Request, onResponse?: (response: sip.Response) => void): void {
    this.stack.send(request, onResponse);
  }

  respond(request: sip.Request, status: number, reason?: string, content?: string): void {
    const extension = content ? { headers: { 'content-type': 'application/sdp' }, content } : undefined;
    this.stack.send(sip.makeResponse(request, status, reason, extension));
  }

  /** Routes the peer's requests with this Call-ID to `handler` until `release`. */
  register(callId: string, handler: InDialogHandler): void {
    this.dialogs.set(callId, handler);
  }

  release(callId: string): void {
    this.dialogs.delete(callId);
  }

  close(): void {
    this.stack.destroy();
  }

  private incoming(request: sip.Request, remote: sip.Remote) {
    const callId = request.headers['call-id'];
    const handler = typeof callId === 'string' ? this.dialogs.get(callId) : undefined;
    if (handler) {
      try {
        handler(request);
      } catch (error) {
        this.logger.warn({ err: error, method: request.method }, 'in-dialog request failed');
        if (request.method !== 'ACK') this.respond(request, 500);
      }
      return;
    }
    if (request.method === 'ACK') return;
    this.logger.debug(
      { method: request.method, from: `${remote.address}:${remote.port}`, protocol: remote.protocol },
      'request outside any call refused',
    );
    // Calls into conferences are not taken (yet): 403 for new calls, 481 for dialogs we do not know.
    const hasToTag = typeof request.headers.to?.params?.tag === 'string';
    this.respond(request, request.method === 'INVITE' && !hasToTag ? 403 : 481);
  }
}

/** A fresh tag or Call-ID part: unguessable, so a peer cannot make up requests in our dialogs. */
export const newToken = () => randomBytes(12).toString('hex');
