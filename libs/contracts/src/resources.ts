import type { Language, Layout, Role } from './enums';

/** What a participant sends (or may send); mirrors its WebRTC session, never written through the API. */
export interface Media {
  audio: boolean;
  video: boolean;
}

export interface RecordingState {
  started: boolean;
}

export interface TranscriptionState {
  started: boolean;
}

export interface ParticipantResource {
  id: string;
  online: boolean;
  name: string;
  priority: number;
  role: Role;
  layout: Layout;
  language: Language;
  media: Media;
  secondaryMedia: Media;
}

/** Only the create response carries the token: it is never stored in clear. */
export interface CreatedParticipantResource extends ParticipantResource {
  token: string;
}

export interface StreamingResource {
  id: string;
  url: string;
  alive: boolean;
}

export interface ConferenceResource {
  id: string;
  name: string;
  layout: Layout;
  recording: RecordingState;
  /** Epoch seconds. */
  endingAt: number;
  transcription?: TranscriptionState;
  participants?: ParticipantResource[];
  streamings?: StreamingResource[];
}

export interface MessageResource {
  id: string;
  sentTo: string;
  sentBy: string;
  /** Epoch milliseconds. */
  sentAt: number;
  text: string;
}

/** A participant's final utterance of live transcription. */
export interface UtteranceResource {
  id: string;
  /** Epoch milliseconds of its first sound. */
  timestamp: number;
  participantId: string;
  text: string;
}

/** A key pressed on a participant's phone (RFC 4733 DTMF), as the application hears of it (an extension). */
export interface DtmfResource {
  participantId: string;
  /** `0`-`9`, `*`, `#`, `A`-`D`. */
  digit: string;
  /** Epoch milliseconds of the key press. */
  timestamp: number;
}

export interface ErrorBody {
  error: string;
  field?: string;
}
