import type { WebSocket } from 'ws';

export interface ApplicationSocket {
  id: string;
  conferenceId: string;
  socket: WebSocket;
}

/** The application sockets this notifier instance holds: at most one per conference. */
export class SocketRegistry {
  private readonly byConference = new Map<string, ApplicationSocket>();

  get(conferenceId: string): ApplicationSocket | undefined {
    return this.byConference.get(conferenceId);
  }

  /** Registers a socket and returns the one it replaces, if any. */
  add(entry: ApplicationSocket): ApplicationSocket | undefined {
    const previous = this.byConference.get(entry.conferenceId);
    this.byConference.set(entry.conferenceId, entry);
    return previous;
  }

  remove(entry: ApplicationSocket): void {
    if (this.byConference.get(entry.conferenceId) === entry) this.byConference.delete(entry.conferenceId);
  }

  all(): IterableIterator<ApplicationSocket> {
    return this.byConference.values();
  }

  get size(): number {
    return this.byConference.size;
  }
}
