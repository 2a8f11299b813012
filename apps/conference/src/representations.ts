import type { ConferenceResource, ParticipantResource, StreamingResource } from '@mind/contracts';
import type { ConferenceEntity, ParticipantEntity, StreamingEntity } from './database/entities';

export const toConference = (c: ConferenceEntity): ConferenceResource => ({
  id: c.id,
  name: c.name,
  layout: c.layout,
  recording: { started: c.recordingStarted },
  endingAt: Math.floor(c.endingAt.getTime() / 1000),
});

export const toParticipant = (p: ParticipantEntity): ParticipantResource => ({
  id: p.id,
  online: p.online,
  name: p.name,
  priority: p.priority,
  role: p.role,
  layout: p.layout,
  language: p.language,
  media: { audio: p.audio, video: p.video },
  secondaryMedia: { audio: p.secondaryAudio, video: p.secondaryVideo },
});

export const toStreaming = (s: StreamingEntity): StreamingResource => ({
  id: s.id,
  url: s.url,
  alive: s.alive,
});
