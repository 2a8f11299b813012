import type { ConferenceResource, CreatedParticipantResource } from '@mind/contracts';

export interface DemoApplication {
  /** The platform's public API, as the browser reaches it. */
  apiUrl: string;
  applicationId: string;
  token: string;
}

export interface RoomTicket {
  apiUrl: string;
  applicationId: string;
  conferenceId: string;
  participantId: string;
  token: string;
}

export class DemoApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a customer's backend does for its web application: it holds the application token, maps
 * room names to conferences (creating one when the room is new or its conference has ended) and
 * hands each visitor a participant token.
 */
export class RoomDirectory {
  private readonly conferences = new Map<string, string>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly app: DemoApplication) {}

  async join(room: string, name: string): Promise<RoomTicket> {
    const conferenceId = await this.conferenceOf(room);
    let participant: CreatedParticipantResource;
    try {
      participant = await this.call<CreatedParticipantResource>('POST', `/${conferenceId}/participants`, {
        name,
        role: 'moderator',
      });
    } catch (error) {
      if (!(error instanceof DemoApiError) || error.status !== 404) throw error;
      // The conference ended since we last looked: open a new one for the room.
      this.conferences.delete(room);
      return this.join(room, name);
    }
    return {
      apiUrl: this.app.apiUrl,
      applicationId: this.app.applicationId,
      conferenceId,
      participantId: participant.id,
      token: participant.token,
    };
  }

  private conferenceOf(room: string): Promise<string> {
    const known = this.conferences.get(room);
    if (known) return Promise.resolve(known);
    // Two visitors arriving at once must land in the same conference.
    let creating = this.pending.get(room);
    if (!creating) {
      creating = this.call<ConferenceResource>('POST', '', { name: room, layout: 'mosaic' })
        .then(async (conference) => {
          // Live captions for the room (the page shows them); a room without them still works.
          await this.call('PATCH', `/${conference.id}/transcription`, { started: true }).catch(
            () => undefined,
          );
          this.conferences.set(room, conference.id);
          return conference.id;
        })
        .finally(() => this.pending.delete(room));
      this.pending.set(room, creating);
    }
    return creating;
  }

  private async call<T>(method: string, path: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.app.apiUrl}/${this.app.applicationId}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.app.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new DemoApiError(response.status, `${method} ${path || '/'}: ${text}`);
    return JSON.parse(text) as T;
  }
}
