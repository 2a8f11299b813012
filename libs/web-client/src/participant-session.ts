import type { Notification, ParticipantResource } from '@mind/contracts';
import { labelOffer, type LineHints } from './sdp-munging';

export interface SessionOptions {
  /** Base URL of the platform, e.g. `https://mind.example.com`. */
  baseUrl: string;
  applicationId: string;
  conferenceId: string;
  /** The participant token returned when the application created the participant. */
  token: string;
  /** Sent as the `Mind-SDK` header. */
  sdkVersion?: string;
  /** Simulcast layers for the camera (primary video); the screen (secondary video) sends one layer. */
  cameraLayers?: RTCRtpEncodingParameters[];
}

export type SessionEndReason = 'conference-ended' | 'expelled' | 'connection-lost' | 'left';

export interface SessionEvents {
  /** The notification channel is open: the platform sees this participant online. */
  connected: () => void;
  notification: (notification: Notification) => void;
  participants: (participants: ParticipantResource[]) => void;
  ended: (reason: SessionEndReason) => void;
  /** A text frame the platform sent that is not a notification (diagnostics). */
  frame: (text: string) => void;
}

type Source = 'primary' | 'secondary';
interface SubscriptionLine {
  transceiver: RTCRtpTransceiver;
  hints: LineHints | null;
}

const DEFAULT_CAMERA_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'h', maxBitrate: 1_500_000, active: false },
];

/**
 * A participant of a Mind conference, speaking the participant protocol with one plain
 * RTCPeerConnection: SDP offers over HTTP, notifications on the negotiated data channel 1.
 */
export class ParticipantSession {
  readonly participants = new Map<string, ParticipantResource>();
  me: ParticipantResource | null = null;
  pc!: RTCPeerConnection;
  private channel!: RTCDataChannel;
  private send!: Record<Source, { audio: RTCRtpTransceiver; video: RTCRtpTransceiver }>;
  private subscriptions: SubscriptionLine[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private listeners: { [K in keyof SessionEvents]: SessionEvents[K][] } = {
    notification: [],
    participants: [],
    ended: [],
    frame: [],
    connected: [],
  };
  private endedWith: SessionEndReason | null = null;

  constructor(private readonly options: SessionOptions) {}

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
   * Joins: a first offer with only the data channel, then (once it is open) the full m-line layout,
   * then the conference's participants (the caller comes first).
   */
  async join(): Promise<void> {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    const channel = pc.createDataChannel('', { negotiated: true, id: 1, ordered: true });
    this.pc = pc;
    this.channel = channel;
    this.endedWith = null;
    this.subscriptions = [];
    // Events of a previous session (closing late) must not touch this one.
    const current = () => this.channel === channel;
    const open = new Promise<void>((resolve, reject) => {
      channel.addEventListener('open', () => resolve(), { once: true });
      channel.addEventListener('close', () => reject(new Error('data channel closed before opening')), {
        once: true,
      });
    });
    channel.addEventListener('message', (event) => current() && this.onFrame(String(event.data)));
    channel.addEventListener('close', () => current() && this.end('connection-lost'));
    await this.negotiate();
    await open;
    this.emit('connected');
    const transceiver = (kind: 'audio' | 'video', sendEncodings?: RTCRtpEncodingParameters[]) =>
      this.pc.addTransceiver(kind, { direction: 'inactive', ...(sendEncodings ? { sendEncodings } : {}) });
    this.send = {
      primary: {
        audio: transceiver('audio'),
        video: transceiver('video', this.options.cameraLayers ?? DEFAULT_CAMERA_LAYERS),
      },
      secondary: { audio: transceiver('audio'), video: transceiver('video') },
    };
    await this.negotiate();
    await this.refreshParticipants();
  }

  /** Sends (or stops sending, with null) the primary (camera, microphone) or secondary (screen) media. */
  async publish(source: Source, stream: MediaStream | null): Promise<void> {
    for (const kind of ['audio', 'video'] as const) {
      const transceiver = this.send[source][kind];
      const track = stream?.getTracks().find((t) => t.kind === kind) ?? null;
      await transceiver.sender.replaceTrack(track);
      transceiver.direction = track ? 'sendonly' : 'inactive';
    }
    await this.negotiate();
  }

  /**
   * Receives a stream by label: `<participantId>#primary`, `<participantId>#secondary` or `conference`.
   * Released lines are reused before new ones are added, as Mind SDKs do.
   */
  async subscribe(
    label: string,
    hints: Omit<LineHints, 'label'> = {},
    kinds: ('audio' | 'video')[] = ['audio', 'video'],
  ) {
    const tracks: MediaStreamTrack[] = [];
    for (const kind of kinds) {
      let line = this.subscriptions.find(
        (s) => s.hints === null && s.transceiver.receiver.track.kind === kind,
      );
      if (!line) {
        line = { transceiver: this.pc.addTransceiver(kind, { direction: 'recvonly' }), hints: null };
        this.subscriptions.push(line);
      }
      line.transceiver.direction = 'recvonly';
      line.hints = { label, ...(kind === 'video' ? hints : {}) };
      tracks.push(line.transceiver.receiver.track);
    }
    await this.negotiate();
    return new MediaStream(tracks);
  }

  async unsubscribe(label: string): Promise<void> {
    for (const line of this.subscriptions.filter((s) => s.hints?.label === label)) {
      line.transceiver.direction = 'inactive';
      line.hints = null;
    }
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
  reportDistortion(label: string, kind: 'audio' | 'video', startMs: number, seconds: number) {
    this.channel.send(`1:${label}#${kind}:${startMs}:${seconds}`);
  }

  /** Leaves the way Mind SDKs do: no HTTP call, the PeerConnection just closes. */
  leave(): void {
    this.end('left');
  }

  async refreshParticipants(): Promise<void> {
    const conference = (await this.request('GET', `${this.conferenceUrl}/?detailed=true`)) as {
      participants: ParticipantResource[];
    };
    const [me, ...others] = conference.participants;
    this.me = me;
    this.participants.clear();
    for (const participant of others) this.participants.set(participant.id, participant);
    this.emit('participants', [...this.participants.values()]);
  }

  /** One offer/answer exchange; calls are queued so that offers never overlap. */
  negotiate(): Promise<void> {
    const run = async () => {
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      const { sdp } = (await this.request('POST', `${this.conferenceUrl}/`, {
        sdp: labelOffer(offer.sdp ?? '', this.lineHints()),
      })) as { sdp: string };
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private lineHints(): Map<string, LineHints> {
    const hints = new Map<string, LineHints>();
    if (this.send) {
      for (const source of ['primary', 'secondary'] as const) {
        for (const kind of ['audio', 'video'] as const) {
          const transceiver = this.send[source][kind];
          if (transceiver.mid !== null) {
            hints.set(transceiver.mid, {
              label: transceiver.direction === 'sendonly' ? `me#${source}` : '-',
            });
          }
        }
      }
    }
    for (const line of this.subscriptions) {
      if (line.transceiver.mid !== null) hints.set(line.transceiver.mid, line.hints ?? { label: '-' });
    }
    // Lines created in this offer get their mid in setLocalDescription; the order is still the creation order.
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
    this.apply(notification);
    this.emit('notification', notification);
  }

  private apply(notification: Notification) {
    const match = /^\/participants\/([0-9a-f-]+)$/.exec(notification.location);
    if (!match) return;
    const id = match[1];
    if (notification.type === 'deleted') this.participants.delete(id);
    else if (this.me && id === this.me.id) this.me = notification.resource as ParticipantResource;
    else this.participants.set(id, notification.resource as ParticipantResource);
    this.emit('participants', [...this.participants.values()]);
  }

  private end(reason: SessionEndReason) {
    if (this.endedWith) return;
    this.endedWith = reason;
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
