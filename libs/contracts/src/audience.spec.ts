import { notificationForApplication, notificationForParticipant } from './audience';
import type { ConferenceEvent } from './events';
import type { ParticipantResource } from './resources';

const base = { seq: 1, conferenceId: 'conf', applicationId: 'app', at: 0 };
const p1: ParticipantResource = {
  id: 'p1',
  online: true,
  name: 'Ann',
  priority: 0,
  role: 'speaker',
  layout: 'mosaic',
  language: 'en',
  media: { audio: true, video: true },
  secondaryMedia: { audio: false, video: false },
};
const participantChange = (
  actor: ConferenceEvent['actor'],
  type: 'updated' | 'deleted',
  changed: Partial<ParticipantResource> = {},
): ConferenceEvent => ({
  ...base,
  kind: 'resource',
  actor,
  change:
    type === 'deleted'
      ? { resource: 'participant', type, participantId: 'p1' }
      : { resource: 'participant', type, participant: { ...p1, ...changed } },
});
const message = (sentTo: string, actor: ConferenceEvent['actor']): ConferenceEvent => ({
  ...base,
  kind: 'message',
  actor,
  message: { id: 'm1', sentTo, sentBy: actor.kind === 'platform' ? '' : actor.id, sentAt: 0, text: 'hi' },
});

describe('who hears about an event', () => {
  it('the application hears every change but its own', () => {
    expect(
      notificationForApplication(participantChange({ kind: 'participant', id: 'p1' }, 'updated')),
    ).not.toBeNull();
    expect(notificationForApplication(participantChange({ kind: 'platform' }, 'updated'))).not.toBeNull();
    expect(
      notificationForApplication(participantChange({ kind: 'application', id: 'app' }, 'updated')),
    ).toBeNull();
  });

  it('the application gets messages addressed to it or to everyone, never its own', () => {
    expect(notificationForApplication(message('app', { kind: 'participant', id: 'p1' }))).not.toBeNull();
    expect(notificationForApplication(message('conf', { kind: 'participant', id: 'p1' }))).not.toBeNull();
    expect(notificationForApplication(message('p2', { kind: 'participant', id: 'p1' }))).toBeNull();
    expect(notificationForApplication(message('conf', { kind: 'application', id: 'app' }))).toBeNull();
  });

  it('a participant hears changes by others, not its own', () => {
    const byApp = participantChange({ kind: 'application', id: 'app' }, 'updated', { name: 'Anna' });
    expect(notificationForParticipant(byApp, 'p1')).toEqual({
      type: 'updated',
      location: '/participants/p1',
      resource: { ...p1, name: 'Anna' },
    });
    expect(
      notificationForParticipant(participantChange({ kind: 'participant', id: 'p1' }, 'updated'), 'p1'),
    ).toBeNull();
    expect(
      notificationForParticipant(participantChange({ kind: 'participant', id: 'p1' }, 'updated'), 'p2'),
    ).not.toBeNull();
  });

  it('a participant is never told it went offline or was deleted', () => {
    expect(
      notificationForParticipant(participantChange({ kind: 'platform' }, 'updated', { online: false }), 'p1'),
    ).toBeNull();
    expect(
      notificationForParticipant(participantChange({ kind: 'application', id: 'app' }, 'deleted'), 'p1'),
    ).toBeNull();
    expect(
      notificationForParticipant(participantChange({ kind: 'platform' }, 'updated', { online: false }), 'p2'),
    ).not.toBeNull();
  });

  it('a participant gets messages addressed to it or to everyone, without an echo', () => {
    expect(notificationForParticipant(message('p2', { kind: 'participant', id: 'p1' }), 'p2')).not.toBeNull();
    expect(
      notificationForParticipant(message('conf', { kind: 'participant', id: 'p1' }), 'p2'),
    ).not.toBeNull();
    expect(notificationForParticipant(message('conf', { kind: 'participant', id: 'p1' }), 'p1')).toBeNull();
    expect(notificationForParticipant(message('app', { kind: 'participant', id: 'p1' }), 'p2')).toBeNull();
  });

  it('only the application hears about streamings', () => {
    const alive: ConferenceEvent = {
      ...base,
      kind: 'resource',
      actor: { kind: 'platform' },
      change: {
        resource: 'streaming',
        type: 'updated',
        streaming: { id: 's1', url: 'rtmp://a/b', alive: true },
      },
    };
    expect(notificationForApplication(alive)).not.toBeNull();
    expect(notificationForParticipant(alive, 'p1')).toBeNull();
  });

  it('nobody gets a notification for the end of a conference (sockets are closed instead)', () => {
    const ended: ConferenceEvent = { ...base, kind: 'ended', reason: 'expired', actor: { kind: 'platform' } };
    expect(notificationForApplication(ended)).toBeNull();
    expect(notificationForParticipant(ended, 'p1')).toBeNull();
  });
});
