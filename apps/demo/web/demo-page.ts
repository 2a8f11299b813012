import type {
  ConferenceResource,
  MessageResource,
  ParticipantResource,
  UtteranceResource,
} from '@mind/contracts';
import { ParticipantSession, type SessionEndReason } from '@mind/web-client';

interface RoomTicket {
  apiUrl: string;
  applicationId: string;
  conferenceId: string;
  participantId: string;
  token: string;
}

type Source = 'primary' | 'secondary';

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const tiles = element<HTMLElement>('tiles');
const status = element<HTMLElement>('status');

/** One video tile: a participant's camera or screen, with its name over a placeholder. */
class Tile {
  readonly root = document.createElement('div');
  private readonly video = document.createElement('video');
  private readonly label = document.createElement('span');

  constructor(
    readonly key: string,
    name: string,
    muted: boolean,
  ) {
    this.root.className = 'tile';
    this.root.dataset.key = key;
    const placeholder = document.createElement('span');
    placeholder.className = 'placeholder';
    placeholder.textContent = '👤';
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = muted;
    this.label.className = 'name';
    this.root.append(this.video, placeholder, this.label);
    this.rename(name);
    tiles.append(this.root);
  }

  show(stream: MediaStream | null) {
    this.video.srcObject = stream;
  }

  rename(name: string) {
    this.label.textContent = name;
  }

  showsVideo(yes: boolean) {
    this.root.classList.toggle('has-video', yes);
  }

  remove() {
    this.root.remove();
  }
}

const CAPTIONS_POLL_MS = 1000;
const CAPTIONS_SHOWN = 4;

/** The room: publishes this visitor's media and keeps one subscription per stream others send. */
class Room {
  private readonly tiles = new Map<string, Tile>();
  private readonly subscribed = new Set<string>();
  private camera: MediaStream | null = null;
  private screen: MediaStream | null = null;
  private reconciling: Promise<void> = Promise.resolve();
  private readonly sending = { audio: true, video: true };
  private recording = false;
  private shownRecordingSize: string | null = null;
  private over = false;

  constructor(
    private readonly session: ParticipantSession,
    private readonly ticket: RoomTicket,
  ) {}

  async enter(name: string) {
    this.session
      .on('participants', () => this.reconcile())
      .on('notification', (notification) => {
        if (notification.location.startsWith('/messages/') && notification.type === 'created') {
          this.showMessage(notification.resource as MessageResource);
        }
        if (notification.location === '/' && notification.resource) {
          this.recordingChanged((notification.resource as ConferenceResource).recording.started);
        }
      })
      .on('ended', (reason) => this.ended(reason))
      .on('recovering', () => (status.textContent = 'reconnecting…'))
      .on('connected', () => (status.textContent = this.roomStatus()));
    status.textContent = 'connecting…';
    await this.session.join();
    this.camera = await navigator.mediaDevices
      .getUserMedia({ audio: true, video: { width: 1280, height: 720 } })
      .catch(() => null);
    const me = new Tile('me', `${name} (you)`, true);
    this.tiles.set('me', me);
    me.show(this.camera);
    me.showsVideo(Boolean(this.camera?.getVideoTracks().length));
    await this.publishCamera();
    status.textContent = this.roomStatus();
    void this.followCaptions();
  }

  /**
   * Live captions: what the platform's transcription workers recognised (the demo's backend starts
   * live transcription for each room), read the way any participant may, by time.
   */
  private async followCaptions() {
    const { apiUrl, applicationId, conferenceId, token } = this.ticket;
    const url = `${apiUrl}/${applicationId}/${conferenceId}/transcription/utterances?access_token=${encodeURIComponent(token)}`;
    let since = Date.now() - 60_000;
    while (!this.over) {
      const answer = await fetch(`${url}&since=${since}`).catch(() => null);
      if (answer?.ok) {
        for (const utterance of (await answer.json()) as UtteranceResource[]) {
          since = Math.max(since, utterance.timestamp);
          this.showCaption(utterance);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, CAPTIONS_POLL_MS));
    }
  }

  private showCaption(utterance: UtteranceResource) {
    const author =
      utterance.participantId === this.ticket.participantId
        ? 'you'
        : (this.session.participants.get(utterance.participantId)?.name ?? 'someone');
    const list = element<HTMLUListElement>('captions');
    const item = document.createElement('li');
    const who = document.createElement('b');
    who.textContent = `${author}: `;
    item.append(who, utterance.text);
    list.append(item);
    while (list.children.length > CAPTIONS_SHOWN) list.firstElementChild?.remove();
  }

  private roomStatus() {
    return `room “${new URLSearchParams(location.search).get('room')}”`;
  }

  toggle(kind: 'audio' | 'video') {
    this.sending[kind] = !this.sending[kind];
    this.tiles.get('me')?.showsVideo(this.sending.video && Boolean(this.camera?.getVideoTracks().length));
    return this.publishCamera().then(() => this.sending[kind]);
  }

  async toggleScreen(): Promise<boolean> {
    if (this.screen) {
      this.screen.getTracks().forEach((track) => track.stop());
      this.screen = null;
      this.tiles.get('me#screen')?.remove();
      this.tiles.delete('me#screen');
      await this.session.publish('secondary', null);
      return false;
    }
    this.screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    this.screen.getVideoTracks()[0].addEventListener('ended', () => void this.toggleScreen());
    const tile = new Tile('me#screen', 'your screen', true);
    tile.show(this.screen);
    tile.showsVideo(true);
    this.tiles.set('me#screen', tile);
    await this.session.publish('secondary', this.screen);
    return true;
  }

  /** The mixed conference video, as recordings and streams show it, in a tile of its own. */
  async toggleMixed(): Promise<boolean> {
    const shown = this.tiles.get('conference');
    if (shown) {
      shown.remove();
      this.tiles.delete('conference');
      await this.session.unsubscribe('conference');
      return false;
    }
    const tile = new Tile('conference', 'Mixed: what the recording shows', true);
    tile.showsVideo(true);
    this.tiles.set('conference', tile);
    tile.show(await this.session.subscribe('conference', {}, ['video']));
    return true;
  }

  /**
   * Starts or stops (pauses) the recording. The button follows `recording.started`: changes by others
   * come as notifications, this visitor's own change (never notified to its author) from the call.
   */
  async toggleRecording(): Promise<boolean> {
    await this.session.setRecording(!this.recording);
    this.recordingChanged(!this.recording);
    return this.recording;
  }

  private recordingChanged(started: boolean) {
    if (started === this.recording) return;
    this.recording = started;
    element('record').classList.toggle('on', started);
    element('record').textContent = started ? '● Recording' : 'Record';
    if (!started) void this.awaitRecording();
  }

  /** After a stop, the recording is remade with what was just recorded: shows it once it is there. */
  private async awaitRecording() {
    for (let attempt = 0; attempt < 60 && !this.recording; attempt++) {
      const answer = await fetch(this.session.recordingUrl('recording'), { headers: { Range: 'bytes=0-0' } });
      const size = answer.headers.get('content-range');
      await answer.body?.cancel();
      if (answer.ok && size !== this.shownRecordingSize) {
        this.shownRecordingSize = size;
        const panel = element('recording');
        element<HTMLImageElement>('recording-preview').src =
          `${this.session.recordingUrl('preview')}&at=${Date.now()}`;
        element<HTMLAnchorElement>('recording-link').href = this.session.recordingUrl('recording');
        panel.hidden = false;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  async say(text: string) {
    await this.session.sendMessage(this.ticket.conferenceId, text);
    this.showMessage({ id: '', sentBy: this.ticket.participantId, sentTo: '', sentAt: Date.now(), text });
  }

  leave() {
    this.session.leave();
  }

  private publishCamera() {
    const tracks = (this.camera?.getTracks() ?? []).filter(
      (track) => this.sending[track.kind as 'audio' | 'video'],
    );
    return this.session.publish('primary', tracks.length ? new MediaStream(tracks) : null);
  }

  /** Subscriptions follow what others send; calls are chained so that offers never overlap. */
  private reconcile() {
    this.reconciling = this.reconciling
      .then(() => this.applyParticipants())
      .catch((error) => {
        status.textContent = `error: ${(error as Error).message}`;
      });
  }

  private async applyParticipants() {
    const present = new Set<string>();
    for (const participant of this.session.participants.values()) {
      if (!participant.online) continue;
      for (const source of ['primary', 'secondary'] as const) {
        const label = `${participant.id}#${source}`;
        const media = source === 'primary' ? participant.media : participant.secondaryMedia;
        const sends = media.audio || media.video;
        if (!sends && source === 'secondary') continue;
        present.add(label);
        const tile = this.tileFor(label, participant, source);
        tile.showsVideo(sends && media.video);
        if (sends && !this.subscribed.has(label)) {
          this.subscribed.add(label);
          tile.show(
            await this.session.subscribe(label, {
              preferences: { maxFrameArea: 640 * 360, maxFrameRate: 30 },
            }),
          );
        }
      }
    }
    for (const [label, tile] of this.tiles) {
      if (label.startsWith('me') || present.has(label)) continue;
      tile.remove();
      this.tiles.delete(label);
    }
    for (const label of [...this.subscribed].filter((l) => !present.has(l))) {
      this.subscribed.delete(label);
      await this.session.unsubscribe(label);
    }
  }

  private tileFor(label: string, participant: ParticipantResource, source: Source): Tile {
    const name = source === 'primary' ? participant.name : `${participant.name} (screen)`;
    let tile = this.tiles.get(label);
    if (!tile) {
      tile = new Tile(label, name, false);
      this.tiles.set(label, tile);
    }
    tile.rename(name);
    return tile;
  }

  private showMessage(message: MessageResource) {
    const author =
      message.sentBy === this.ticket.participantId
        ? 'you'
        : (this.session.participants.get(message.sentBy)?.name ?? 'the application');
    const item = document.createElement('li');
    const who = document.createElement('b');
    who.textContent = `${author}: `;
    item.append(who, message.text);
    element<HTMLUListElement>('messages').append(item);
  }

  private ended(reason: SessionEndReason) {
    const why: Record<SessionEndReason, string> = {
      'conference-ended': 'the conference has ended',
      expelled: 'you were removed from the conference',
      left: 'you left',
    };
    status.textContent = why[reason];
    this.over = true;
    this.camera?.getTracks().forEach((track) => track.stop());
    this.screen?.getTracks().forEach((track) => track.stop());
    element('controls').hidden = true;
  }
}

async function requestTicket(room: string, name: string): Promise<RoomTicket> {
  const response = await fetch(`/rooms/${encodeURIComponent(room)}/participants`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await response.json()) as { error?: string; message?: string };
  if (!response.ok) throw new Error(body.error ?? body.message ?? `join answered ${response.status}`);
  return body as RoomTicket;
}

function bindButton(id: string, action: () => Promise<boolean>) {
  const button = element<HTMLButtonElement>(id);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      button.classList.toggle('on', await action());
    } catch (error) {
      status.textContent = `error: ${(error as Error).message}`;
    } finally {
      button.disabled = false;
    }
  });
}

function start() {
  const params = new URLSearchParams(location.search);
  const lobby = element<HTMLFormElement>('lobby');
  element<HTMLInputElement>('room-name').value = params.get('room') ?? 'lobby';
  lobby.addEventListener('submit', async (event) => {
    event.preventDefault();
    const room = element<HTMLInputElement>('room-name').value;
    const name = element<HTMLInputElement>('your-name').value;
    history.replaceState(null, '', `?room=${encodeURIComponent(room)}`);
    try {
      const ticket = await requestTicket(room, name);
      const session = new ParticipantSession({
        baseUrl: ticket.apiUrl,
        applicationId: ticket.applicationId,
        conferenceId: ticket.conferenceId,
        token: ticket.token,
        sdkVersion: 'mind-platform-demo/0.1',
      });
      const visit = new Room(session, ticket);
      lobby.hidden = true;
      element('room').classList.add('active');
      element('controls').hidden = false;
      bindButton('microphone', () => visit.toggle('audio'));
      bindButton('camera', () => visit.toggle('video'));
      bindButton('screen', () => visit.toggleScreen());
      bindButton('mixed', () => visit.toggleMixed());
      bindButton('record', () => visit.toggleRecording());
      bindButton('leave', async () => {
        visit.leave();
        return false;
      });
      element<HTMLFormElement>('chat').addEventListener('submit', (submitted) => {
        submitted.preventDefault();
        const input = element<HTMLInputElement>('chat-text');
        if (input.value.trim()) void visit.say(input.value.trim());
        input.value = '';
      });
      await visit.enter(name);
    } catch (error) {
      status.textContent = `could not join: ${(error as Error).message}`;
    }
  });
}

start();
