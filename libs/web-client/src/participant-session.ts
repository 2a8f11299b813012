import type { Media, Notification, ParticipantResource } from '@mind/contracts';
import {
  clientTraits,
  editAnswerBeforeApplying,
  editOfferBeforeApplying,
  editOfferForSending,
  type ClientTraits,
  type LineHints,
} from './sdk-edits';

export interface SessionOptions {
  /** Base URL of the platform, e.g. `https://mind.example.com`. */
  baseUrl: string;
  applicationId: string;
  conferenceId: string;
  /** The participant token returned when the application created the participant. */
  token: string;
  /** Sent as the `Mind-SDK` header. */
  sdkVersion?: string;
  /** Simulcast layers for the camera (primary video); the screen (secondary video) sends its first layer. */
  cameraLayers?: RTCRtpEncodingParameters[];
  /**
   * The SDK's `useVp9ForSendingVideo`: send camera and screen as one VP9 SVC encoding instead of
   * simulcast. As in the SDK, it takes effect only where the user agent says ` Chrome/NNN`, NNN ≥ 111.
   */
  useVp9ForSendingVideo?: boolean;
}

export type SessionEndReason = 'conference-ended' | 'expelled' | 'left';

export interface SessionEvents {
  /** The notification channel is open: the platform sees this participant online. */
  connected: () => void;
  /** The connection failed or the channel closed without a code: a new session is being made. */
  recovering: () => void;
  notification: (notification: Notification) => void;
  participants: (participants: ParticipantResource[]) => void;
  ended: (reason: SessionEndReason) => void;
  /** A text frame the platform sent that is not a notification (diagnostics). */
  frame: (text: string) => void;
}

type Source = 'primary' | 'secondary';
type Kind = 'audio' | 'video';
/** WebRTC-SVC's `scalabilityMode` is not in TypeScript's DOM types yet. */
type Encoding = RTCRtpEncodingParameters & { scalabilityMode?: string };

/** A receiving m-line; released lines (no label) are reused before new ones are added. */
interface ReceivingLine {
  transceiver: RTCRtpTransceiver;
  hints: LineHints | null;
}

/** A stream the application asked for, and the lines that carry it while its sender sends. */
interface Subscription {
  label: string;
  kinds: Kind[];
  hints: Omit<LineHints, 'label'>;
  /** Handed to the application once; its tracks follow the lines. */
  stream: MediaStream;
  lines: Map<Kind, ReceivingLine>;
}

const DEFAULT_CAMERA_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'h', maxBitrate: 1_500_000, active: false },
];
/** The screen is offered with the camera's rids, only the first one sent. */
const SCREEN_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: 'l' },
  { rid: 'm', active: false },
  { rid: 'h', active: false },
];
/** After a failure, new sessions are tried after these delays (ms), the last one repeating. */
const RECOVERY_DELAYS_MS = [0, 500, 1000, 2000, 4000, 10_000];

/** The SVC mode the SDK's VP9 option uses for a picture of this height. */
function vp9ScalabilityMode(height: number): string {
  if (height >= 540) return 'L3T3_KEY';
  if (height >= 270) return 'L2T3_KEY';
  return 'L1T3';
}

/**
 * A participant of a Mind conference, speaking the participant protocol as Mind SDKs do: one
 * RTCPeerConnection, SDP offers over HTTP with the SDK's edits (`sdk-edits.ts`), notifications on the
 * negotiated data channel 1, subscriptions that follow what their sender sends, and a new session
 * (new ICE credentials and fingerprint) when the connection fails.
 */
export class ParticipantSession {
  readonly participants = new Map<string, ParticipantResource>();
  me: ParticipantResource | null = null;
  pc!: RTCPeerConnection;
  /** Notifications received since the participants' list was asked for, while it is on its way. */
  private arrivedDuringRefresh: Notification[] | null = null;
  private channel!: RTCDataChannel;
  private send: Record<Source, Record<Kind, RTCRtpTransceiver>> | null = null;
  /** Counts PeerConnections, so that events of a replaced one are ignored. */
  private generation = 0;
  private readonly published: Record<Source, MediaStream | null> = { primary: null, secondary: null };
  private lines: ReceivingLine[] = [];
  private readonly subscriptions = new Map<string, Subscription>();
  private queue: Promise<unknown> = Promise.resolve();
  private listeners: { [K in keyof SessionEvents]: SessionEvents[K][] } = {
    notification: [],
    participants: [],
    ended: [],
    frame: [],
    connected: [],
    recovering: [],
  };
  private endedWith: SessionEndReason | null = null;
  private recovery: Promise<void> | null = null;
  /** Counts the session's ends: a recovery started before a leave stops there, even if a join follows. */
  private ends = 0;
  readonly traits: ClientTraits;

  constructor(private readonly options: SessionOptions) {
    this.traits = clientTraits(navigator.userAgent, options.useVp9ForSendingVideo ?? false);
  }

  on<K extends keyof SessionEvents>(event: K, listener: SessionEvents[K]): this {
    this.listeners[event].push(listener);
    return this;
  }

  get conferenceUrl(): string {
    return `${this.options.baseUrl}/${this.options.applicationId}/${this.options.conferenceId}`;
  }

  get ended(): SessionEndReason | null {
    return this.endedWith;
  }

  /**
   * Joins: a first offer with only the data channel, then (once it is open) the full m-line layout
   * with what is published and subscribed, then the conference's participants (the caller first).
   */
  async join(): Promise<void> {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    const channel = pc.createDataChannel('', { negotiated: true, id: 1, ordered: true });
    const generation = ++this.generation;
    this.pc = pc;
    this.channel = channel;
    this.endedWith = null;
    this.send = null;
    this.lines = [];
    for (const subscription of this.subscriptions.values()) subscription.lines.clear();
    // Events of a previous PeerConnection (closing late) must not touch this one.
    const current = () => this.generation === generation && this.endedWith === null;
    const open = new Promise<void>((resolve, reject) => {
      channel.addEventListener('open', () => resolve(), { once: true });
      channel.addEventListener('close', () => reject(new Error('data channel closed before opening')), {
        once: true,
      });
    });
    // Awaited once the offer is answered; a channel closed before that is not an unhandled rejection.
    open.catch(() => undefined);
    channel.addEventListener('message', (event) => current() && this.onFrame(String(event.data)));
    channel.addEventListener('close', () => current() && this.recover());
    pc.addEventListener('connectionstatechange', () => {
      if (current() && pc.connectionState === 'failed') this.recover();
    });
    // The new connection's offers queue behind any still on its way for the last one (a recovery's,
    // when the application leaves and joins again): sent meanwhile, the new offer could reach the
    // platform first and its session be replaced by the stale one.
    await this.negotiate();
    await open;
    this.emit('connected');
    const camera: Encoding[] = this.traits.vp9
      ? [{ scalabilityMode: 'L3T3_KEY' }]
      : (this.options.cameraLayers ?? DEFAULT_CAMERA_LAYERS);
    const screen: Encoding[] = this.traits.vp9 ? [{ scalabilityMode: 'L1T3' }] : SCREEN_LAYERS;
    const transceiver = (kind: Kind, sendEncodings?: RTCRtpEncodingParameters[]) =>
      pc.addTransceiver(kind, { direction: 'inactive', ...(sendEncodings ? { sendEncodings } : {}) });
    this.send = {
      primary: { audio: transceiver('audio'), video: transceiver('video', camera) },
      secondary: { audio: transceiver('audio'), video: transceiver('video', screen) },
    };
    for (const source of ['primary', 'secondary'] as const) await this.attach(this.send, source);
    this.syncSubscriptions();
    await this.negotiate();
    await this.refreshParticipants();
  }

  /** Sends (or stops sending, with null) the primary (camera, microphone) or secondary (screen) media. */
  async publish(source: Source, stream: MediaStream | null): Promise<void> {
    this.published[source] = stream;
    if (this.send) await this.attach(this.send, source);
    await this.negotiate();
  }

  /**
   * Receives a stream by label: `<participantId>#primary`, `<participantId>#secondary` or `conference`.
   * The returned stream stays the application's: as Mind SDKs do, a participant's line is offered
   * only while that participant sends that kind, released (inactive) when it stops, and a released
   * line is reused for the next subscription.
   */
  async subscribe(
    label: string,
    hints: Omit<LineHints, 'label'> = {},
    kinds: Kind[] = ['audio', 'video'],
  ): Promise<MediaStream> {
    let subscription = this.subscriptions.get(label);
    if (!subscription) {
      subscription = { label, kinds, hints, stream: new MediaStream(), lines: new Map() };
      this.subscriptions.set(label, subscription);
    }
    this.syncSubscriptions();
    await this.negotiate();
    return subscription.stream;
  }

  async unsubscribe(label: string): Promise<void> {
    const subscription = this.subscriptions.get(label);
    if (!subscription) return;
    this.subscriptions.delete(label);
    for (const kind of [...subscription.lines.keys()]) this.releaseLine(subscription, kind);
    await this.negotiate();
  }

  /** Sends a message to a participant, the application or (with the conference id) everyone. */
  async sendMessage(sendTo: string, text: string) {
    return this.request('POST', `${this.conferenceUrl}/messages`, { sendTo, text, persistent: false });
  }

  /** Starts (or resumes) and stops (or pauses) the conference's recording; moderators may. */
  async setRecording(started: boolean): Promise<void> {
    await this.request('POST', `${this.conferenceUrl}/recording/${started ? 'start' : 'stop'}`, {});
  }

  /**
   * The conference's recording (MP4) or its animated preview (WebP) as a media URL, the token in it
   * since a `<video>` or `<img>` cannot send headers; 404 until the recording exists.
   */
  recordingUrl(what: 'recording' | 'preview'): string {
    const path = what === 'recording' ? 'recording' : 'recording/preview';
    return `${this.conferenceUrl}/${path}?access_token=${encodeURIComponent(this.options.token)}`;
  }

  /** Sends a quality report for a distorted subscription, as SDKs do once a second. */
  reportDistortion(label: string, kind: Kind, startMs: number, seconds: number) {
    this.channel.send(`1:${label}#${kind}:${startMs}:${seconds}`);
  }

  /** Leaves the way Mind SDKs do: no HTTP call, the PeerConnection just closes. */
  leave(): void {
    this.end('left');
  }

  /**
   * What the SDK does when its connection fails: a new PeerConnection (new ICE credentials and DTLS
   * fingerprint) that offers the data channel, then everything published and subscribed, retried with
   * a growing delay until it works or the session ends. Subscribed streams get the new tracks.
   */
  recover(): Promise<void> {
    if (this.endedWith) return Promise.resolve();
    if (this.recovery) return this.recovery;
    const ends = this.ends;
    const over = () => this.endedWith !== null || this.ends !== ends;
    const recovery: Promise<void> = (async () => {
      this.emit('recovering');
      for (let attempt = 0; !over(); attempt++) {
        await new Promise((resolve) =>
          setTimeout(resolve, RECOVERY_DELAYS_MS[Math.min(attempt, RECOVERY_DELAYS_MS.length - 1)]),
        );
        if (over()) return;
        this.generation++;
        this.pc.close();
        try {
          await this.join();
          return;
        } catch {
          // The next attempt starts from a fresh PeerConnection again.
        }
      }
    })().finally(() => this.recovery === recovery && (this.recovery = null));
    this.recovery = recovery;
    return recovery;
  }

  /**
   * Replaces what is known of the participants by the conference's list. Notifications that arrive
   * while the list is on its way may be newer than it (it was read before their change committed):
   * they are applied again over it, in the order they came.
   */
  async refreshParticipants(): Promise<void> {
    const arrived: Notification[] = [];
    this.arrivedDuringRefresh = arrived;
    const conference = (await this.request('GET', `${this.conferenceUrl}/?detailed=true`).finally(() => {
      if (this.arrivedDuringRefresh === arrived) this.arrivedDuringRefresh = null;
    })) as { participants: ParticipantResource[] };
    const [me, ...others] = conference.participants;
    this.me = me;
    this.participants.clear();
    for (const participant of others) {
      if (participant.online) this.participants.set(participant.id, participant);
    }
    for (const notification of arrived) this.applyToParticipants(notification);
    this.participantsChanged();
  }

  /** One offer/answer exchange; calls are queued so that offers never overlap. */
  negotiate(): Promise<void> {
    const pc = this.pc;
    const run = async () => {
      if (pc !== this.pc) return;
      const created = await pc.createOffer();
      await pc.setLocalDescription({
        type: 'offer',
        sdp: editOfferBeforeApplying(created.sdp ?? '', this.traits),
      });
      const local = pc.localDescription?.sdp ?? '';
      const { sdp } = (await this.request('POST', `${this.conferenceUrl}/`, {
        sdp: editOfferForSending(local, this.lineHints(), this.traits),
      })) as { sdp: string };
      if (pc.signalingState === 'closed') return;
      await pc.setRemoteDescription({
        type: 'answer',
        sdp: editAnswerBeforeApplying(sdp, local, this.traits),
      });
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Puts what `source` publishes on its send lines (the SDK's SVC mode follows the camera's size). */
  private async attach(send: Record<Source, Record<Kind, RTCRtpTransceiver>>, source: Source) {
    const stream = this.published[source];
    for (const kind of ['audio', 'video'] as const) {
      const transceiver = send[source][kind];
      const track = stream?.getTracks().find((t) => t.kind === kind) ?? null;
      await transceiver.sender.replaceTrack(track);
      transceiver.direction = track ? 'sendonly' : 'inactive';
      if (track && kind === 'video' && this.traits.vp9 && source === 'primary') {
        const parameters = transceiver.sender.getParameters();
        const encoding: Encoding | undefined = parameters.encodings[0];
        const mode = vp9ScalabilityMode(track.getSettings().height ?? 360);
        if (encoding && encoding.scalabilityMode !== mode) {
          encoding.scalabilityMode = mode;
          await transceiver.sender.setParameters(parameters);
        }
      }
    }
  }

  /** Which kinds of a subscription have a line now: a participant's only while it sends them. */
  private wantedKinds(subscription: Subscription): Kind[] {
    const match = /^(.+)#(primary|secondary)$/.exec(subscription.label);
    if (!match) return subscription.kinds;
    const sender = this.participants.get(match[1]);
    const media: Media | undefined = match[2] === 'primary' ? sender?.media : sender?.secondaryMedia;
    return subscription.kinds.filter((kind) => sender?.online && media?.[kind]);
  }

  /** Offers lines for what subscriptions want now and releases the rest; true when anything changed. */
  private syncSubscriptions(): boolean {
    if (!this.send) return false;
    let changed = false;
    for (const subscription of this.subscriptions.values()) {
      const wanted = this.wantedKinds(subscription);
      for (const kind of subscription.kinds) {
        const line = subscription.lines.get(kind);
        if (line && !wanted.includes(kind)) {
          this.releaseLine(subscription, kind);
          changed = true;
        } else if (!line && wanted.includes(kind)) {
          this.takeLine(subscription, kind);
          changed = true;
        }
      }
    }
    return changed;
  }

  private takeLine(subscription: Subscription, kind: Kind) {
    let line = this.lines.find((l) => l.hints === null && l.transceiver.receiver.track.kind === kind);
    if (!line) {
      line = { transceiver: this.pc.addTransceiver(kind, { direction: 'recvonly' }), hints: null };
      this.lines.push(line);
    }
    line.transceiver.direction = 'recvonly';
    line.hints = { label: subscription.label, ...(kind === 'video' ? subscription.hints : {}) };
    subscription.lines.set(kind, line);
    for (const old of subscription.stream.getTracks().filter((t) => t.kind === kind)) {
      subscription.stream.removeTrack(old);
    }
    subscription.stream.addTrack(line.transceiver.receiver.track);
  }

  private releaseLine(subscription: Subscription, kind: Kind) {
    const line = subscription.lines.get(kind);
    if (!line) return;
    line.transceiver.direction = 'inactive';
    line.hints = null;
    subscription.lines.delete(kind);
    subscription.stream.removeTrack(line.transceiver.receiver.track);
  }

  private lineHints(): Map<string, LineHints> {
    const hints = new Map<string, LineHints>();
    if (this.send) {
      for (const source of ['primary', 'secondary'] as const) {
        for (const kind of ['audio', 'video'] as const) {
          const transceiver = this.send[source][kind];
          const track = transceiver.sender.track;
          if (transceiver.mid !== null) {
            hints.set(
              transceiver.mid,
              transceiver.direction === 'sendonly' && track
                ? { label: `me#${source}`, trackId: track.id }
                : { label: '-' },
            );
          }
        }
      }
    }
    for (const line of this.lines) {
      const { mid, receiver } = line.transceiver;
      if (mid !== null)
        hints.set(mid, line.hints ? { ...line.hints, trackId: receiver.track.id } : { label: '-' });
    }
    return hints;
  }

  private onFrame(text: string) {
    if (text === '4000') return this.end('conference-ended');
    if (text === '4001') return this.end('expelled');
    let notification: Notification;
    try {
      notification = JSON.parse(text) as Notification;
    } catch {
      this.emit('frame', text);
      return;
    }
    this.arrivedDuringRefresh?.push(notification);
    if (this.applyToParticipants(notification)) this.participantsChanged();
    this.emit('notification', notification);
  }

  /** Applies a participant's notification to what is known of the participants; true when it was one. */
  private applyToParticipants(notification: Notification): boolean {
    const match = /^\/participants\/([0-9a-f-]+)$/.exec(notification.location);
    if (!match) return false;
    const id = match[1];
    const resource = notification.resource as ParticipantResource | undefined;
    if (this.me && id === this.me.id) {
      if (resource) this.me = resource;
      return false;
    }
    // As Mind SDKs do, only participants that are online are kept.
    if (notification.type === 'deleted' || !resource?.online) this.participants.delete(id);
    else this.participants.set(id, resource);
    return true;
  }

  private participantsChanged() {
    if (this.syncSubscriptions()) void this.negotiate().catch(() => undefined);
    this.emit('participants', [...this.participants.values()]);
  }

  private end(reason: SessionEndReason) {
    if (this.endedWith) return;
    this.endedWith = reason;
    this.ends++;
    this.recovery = null;
    this.channel?.close();
    this.pc?.close();
    this.emit('ended', reason);
  }

  private emit<K extends keyof SessionEvents>(event: K, ...args: Parameters<SessionEvents[K]>) {
    for (const listener of this.listeners[event]) (listener as (...a: unknown[]) => void)(...args);
  }

  private async request(method: string, url: string, body?: unknown): Promise<unknown> {
    const response = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${this.options.token}`,
        Accept: 'application/json',
        'Content-Type': 'application/json; charset=UTF-8',
        'Mind-SDK': this.options.sdkVersion ?? 'mind-platform-web/0.1',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : {};
  }
}
