import { authorize, type Principal } from './permissions';

const app: Principal = { kind: 'application', applicationId: 'a' };
const as = (role: 'moderator' | 'presenter' | 'speaker' | 'attendee', participantId = 'p1'): Principal => ({
  kind: 'participant',
  applicationId: 'a',
  conferenceId: 'c',
  participantId,
  role,
});

describe('authorize', () => {
  it.each([
    'createConference',
    'deleteConference',
    'createParticipant',
    'deleteParticipants',
    'createStreaming',
  ] as const)('%s is for the application only', (operation) => {
    expect(authorize(operation, app).allowed).toBe(true);
    for (const role of ['moderator', 'presenter', 'speaker', 'attendee'] as const) {
      expect(authorize(operation, as(role)).allowed).toBe(false);
    }
  });

  it.each(['updateConference', 'startRecording', 'getRecording', 'dialParticipant'] as const)(
    '%s is for the application and moderators',
    (operation) => {
      expect(authorize(operation, app).allowed).toBe(true);
      expect(authorize(operation, as('moderator')).allowed).toBe(true);
      expect(authorize(operation, as('presenter')).allowed).toBe(false);
      expect(authorize(operation, as('attendee')).allowed).toBe(false);
    },
  );

  it('lets any participant read and send messages', () => {
    expect(authorize('getConference', as('attendee')).allowed).toBe(true);
    expect(authorize('sendMessage', as('attendee')).allowed).toBe(true);
  });

  it('lets only the participant itself (re)initiate its session', () => {
    expect(authorize('initiateSession', app, 'p1').allowed).toBe(false);
    expect(authorize('initiateSession', as('attendee'), 'p1').allowed).toBe(true);
    expect(authorize('initiateSession', as('moderator'), 'p2').allowed).toBe(false);
    expect(authorize('initiateOwnSession', as('speaker')).allowed).toBe(true);
  });

  describe('updateParticipant', () => {
    it('lets the application and moderators change anything of anyone', () => {
      expect(authorize('updateParticipant', app, 'p2', { role: 'moderator' }).allowed).toBe(true);
      expect(authorize('updateParticipant', as('moderator'), 'p2', { priority: 3 }).allowed).toBe(true);
    });

    it('lets others change only their own name, layout and language', () => {
      const speaker = as('speaker');
      expect(
        authorize('updateParticipant', speaker, 'p1', { name: 'x', layout: 'selector', language: 'fr' })
          .allowed,
      ).toBe(true);
      expect(authorize('updateParticipant', speaker, 'p1', { role: 'moderator' })).toEqual({
        allowed: false,
        error: 'only the application or a moderator may change role',
        field: 'role',
      });
      expect(authorize('updateParticipant', speaker, 'p1', { priority: 1 }).allowed).toBe(false);
      expect(authorize('updateParticipant', speaker, 'p2', { name: 'x' }).allowed).toBe(false);
    });

    it('ignores null fields (they change nothing) and unknown fields', () => {
      expect(authorize('updateParticipant', as('attendee'), 'p1', { role: null, profile: 'x' }).allowed).toBe(
        true,
      );
    });
  });
});
