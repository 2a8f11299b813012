import { notificationForApplication, notificationForParticipant } from './audience';
import type { ConferenceEvent } from './events';

const base = { seq: 1, conferenceId: 'conf', applicationId: 'app', at: 0 };
const participantChange = (
  actor: ConferenceEvent['actor'],
  type: 'updated' | 'deleted',
  resource?: object,
): ConferenceEvent => ({
  ...base,
  kind: 'resource',
  actor,
  participantId: 'p1',
  notification: { type, location: '/participants/p1', resource },
});
const message = (sentTo: string, actor: ConferenceEvent['actor']): ConferenceEvent => ({
  ...base,
  kind: 'message',
  actor,
  sentTo,
  sentBy: actor.kind === 'platform' ? '' : actor.id,
  notification: { type: 'created', location: '/messages/m1', resource: { text: 'hi' } },
});

describe('who hears about an event', () => {
  it('the application hears every change but its own', () => {
    expect(
      notificationForApplication(participantChange({ kind: 'participant', id: 'p1' }, 'updated', {})),
    ).not.toBeNull();
    expect(notificationForApplication(participantChange({ kind: 'platform' }, 'updated', {}))).not.toBeNull();
    expect(
      notificationForApplication(participantChange({ kind: 'application', id: 'app' }, 'updated', {})),
    ).toBeNull();
  });

  it('the application gets messages addressed to it or to everyone, never its own', () => {
    expect(notificationForApplication(message('app', { kind: 'participant', id: 'p1' }))).not.toBeNull();
    expect(notificationForApplication(message('conf', { kind: 'participant', id: 'p1' }))).not.toBeNull();
    expect(notificationForApplication(message('p2', { kind: 'participant', id: 'p1' }))).toBeNull();
    expect(notificationForApplication(message('conf', { kind: 'application', id: 'app' }))).toBeNull();
  });

  it('a participant hears changes by others, not its own', () => {
    const byApp = participantChange({ kind: 'application', id: 'app' }, 'updated', { online: true });
    expect(notificationForParticipant(byApp, 'p1')).toEqual(byApp.kind === 'resource' && byApp.notification);
    expect(
      notificationForParticipant(participantChange({ kind: 'participant', id: 'p1' }, 'updated', {}), 'p1'),
    ).toBeNull();
    expect(
      notificationForParticipant(participantChange({ kind: 'participant', id: 'p1' }, 'updated', {}), 'p2'),
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
      notification: { type: 'updated', location: '/streamings/s1', resource: { alive: true } },
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
