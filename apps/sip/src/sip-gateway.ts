import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Config } from '@mind/config';
import {
  EVENT,
  participantOf,
  RPC,
  type ConferenceEvent,
  SIP_HEARTBEAT_MS,
  type SipDialReply,
  type SipDialRequest,
  type SipGatewayHeartbeat,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { ProtocolBus, type Unsubscribable } from '@mind/messaging';
import { OutboundPolicy } from '@mind/outbound';
import { CONFIG, LOGGER } from '@mind/runtime';
import { parseSipAddress, sipConnectUrl, type SipAddress } from '@mind/sip';
import { meter } from '@mind/telemetry';
import { OutboundCall, type CallParties } from './outbound-call';
import { PhoneAudio } from './phone-audio';
import { PhoneLine } from './phone-line';
import { SipEndpoint, type SipTransport } from './sip-endpoint';

/** Time for the last BYEs to leave before the SIP stack closes. */
const SHUTDOWN_GRACE_MS = 300;

function transportOf(address: SipAddress): SipTransport {
  if (address.scheme === 'sips' || /;transport=tls(?:;|$)/i.test(address.uri)) return 'tls';
  return /;transport=tcp(?:;|$)/i.test(address.uri) ? 'tcp' : 'udp';
}

/**
 * The SIP gateway: places the calls of route 20 (any gateway takes a dial, they share the subject),
 * answers route 21 and 22 for the calls it holds (each call's subject is its participant's), and
 * announces itself every second so that the conference service takes its phone lines offline when it
 * is gone. Where a call goes is checked against the outbound rules again here, and the INVITE is
 * routed to the address that was checked (a later DNS answer cannot redirect it).
 */
@Injectable()
export class SipGateway implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly incarnation = randomUUID();
  private readonly lines = new Map<string, PhoneLine>();
  private readonly outbound: OutboundPolicy;
  private endpoint?: SipEndpoint;
  private dialing?: Unsubscribable;
  private events?: { close(): Promise<void> };
  private heartbeat?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly bus: ProtocolBus,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.outbound = new OutboundPolicy(config.outbound);
    meter()
      .createObservableGauge('mind.sip.calls', { description: 'Calls a SIP gateway holds' })
      .addCallback((result) => result.observe(this.lines.size));
  }

  private get settings() {
    return this.config.sip;
  }

  async onApplicationBootstrap() {
    const { listenIp, port, announcedAddress, tls } = this.settings;
    this.endpoint = new SipEndpoint({ listenIp, port, announcedAddress, tls }, this.logger, (error) => {
      // A SIP port that cannot be bound is fatal at start, and means nothing works later either.
      this.logger.fatal({ err: error }, 'SIP transport failed');
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
    this.events = await this.bus.follow(EVENT.conference, (event) => this.conferenceChanged(event));
    this.dialing = this.bus.serve(RPC.sipDial, 'sip', (request) => this.dial(request));
    this.beat();
    this.heartbeat = setInterval(() => this.beat(), SIP_HEARTBEAT_MS);
    this.heartbeat.unref();
    this.logger.info({ sip: `${listenIp}:${port}` }, 'SIP gateway listening');
  }

  async onApplicationShutdown() {
    this.closing = true;
    clearInterval(this.heartbeat);
    this.dialing?.unsubscribe();
    await this.events?.close();
    for (const line of this.lines.values()) line.hangup();
    this.beat(true);
    await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS));
    this.endpoint?.close();
  }

  private beat(leaving = false) {
    const heartbeat: SipGatewayHeartbeat = {
      gatewayId: this.settings.gatewayId,
      incarnation: this.incarnation,
      calls: this.lines.size,
      at: Date.now(),
      ...(leaving ? { leaving } : {}),
    };
    this.bus.broadcast(EVENT.sipHeartbeat, heartbeat);
  }

  /** A participant removed, or its conference ended: its call ends too. */
  private conferenceChanged(event: ConferenceEvent) {
    const removed =
      event.kind === 'resource' && event.change.type === 'deleted' ? participantOf(event.change) : undefined;
    for (const line of this.lines.values()) {
      const { conferenceId, participantId } = line.request;
      if (conferenceId !== event.conferenceId) continue;
      if (event.kind === 'ended' || removed === participantId) line.hangup();
    }
  }

  async dial(request: SipDialRequest): Promise<SipDialReply> {
    if (this.closing || !this.endpoint) return { status: 503, error: 'the SIP gateway is shutting down' };
    if (this.lines.has(request.participantId)) {
      return { status: 409, error: 'the participant already has a call' };
    }
    const parties = await this.parties(request);
    if ('error' in parties) {
      this.logger.warn({ traceId: request.traceId, error: parties.error }, 'dial refused by the gateway');
      return { status: 200, outcome: 'error' };
    }
    const audio = await PhoneAudio.open(this.settings);
    const line = new PhoneLine(request, new OutboundCall(this.endpoint, parties), audio, {
      bus: this.bus,
      logger: this.logger,
      incarnation: this.incarnation,
      released: (released) => {
        if (this.lines.get(released.participantId) === released) this.lines.delete(released.participantId);
      },
    });
    this.lines.set(request.participantId, line);
    return { status: 200, outcome: await line.dial() };
  }

  /** Who calls whom, and the checked first hop: the proxy if there is one, else the callee's host. */
  private async parties(request: SipDialRequest): Promise<CallParties | { error: string }> {
    const from = parseSipAddress(request.from);
    const to = parseSipAddress(request.to);
    const proxy = request.proxy === undefined ? undefined : parseSipAddress(request.proxy);
    if (!from.ok || !to.ok || (proxy && !proxy.ok)) return { error: 'a SIP address is malformed' };
    const hop = proxy?.ok ? proxy.address : to.address;
    const checked = await this.outbound.check(sipConnectUrl(hop));
    if (!checked.ok) return { error: `${proxy ? 'proxy' : 'to'} ${checked.error}` };
    const transport = transportOf(hop);
    const { address, port } = checked.target;
    const host = isIP(address) === 6 ? `[${address}]` : address;
    const pinned = `sip:${host}:${port};lr${transport === 'udp' ? '' : `;transport=${transport}`}`;
    // A literal address with its port and transport needs no route of its own: the request goes where
    // its URI says (the stack would take a literal `sips:` address for UDP, so TLS is always routed).
    const literal = isIP(hop.host) !== 0 && hop.port !== undefined && transport !== 'tls';
    const firstHop = proxy || !literal ? pinned : undefined;
    if (transport === 'tls') this.endpoint?.expectTlsName(address, hop.host);
    // The application's own SIP account, else the gateway's default.
    const credentials = request.credentials ?? this.settings.credentials;
    return {
      from: from.address,
      to: to.address,
      ...(firstHop ? { firstHop } : {}),
      transport,
      ...(credentials ? { credentials } : {}),
    };
  }
}
