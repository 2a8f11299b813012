import type { Language, Layout, Role } from './enums';

export interface CreateConferenceRequest {
  name?: string;
  layout?: Layout;
  recordingLayout?: Layout;
}

export interface UpdateConferenceRequest {
  name?: string | null;
  layout?: Layout | null;
}

export interface CreateParticipantRequest {
  name?: string;
  priority?: number;
  role?: Role;
  layout?: Layout;
  language?: Language;
}

export interface UpdateParticipantRequest {
  name?: string | null;
  priority?: number | null;
  role?: Role | null;
  layout?: Layout | null;
  language?: Language | null;
}

export interface SendMessageRequest {
  sendTo: string;
  text: string;
  persistent?: boolean;
}

export interface UpdateTranscriptionRequest {
  started?: boolean | null;
}

export interface CreateStreamingRequest {
  url: string;
}

export interface SessionRequest {
  sdp: string;
}

export interface DialRequest {
  from: string;
  to: string;
  proxy?: string;
  timeout?: number | string;
}

export interface ForwardRequest {
  destination: string;
}
