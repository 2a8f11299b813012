import { isUuid, LIMITS } from '@mind/contracts';
import { parseDetailed, validateBody } from './request-validation';

describe('request validation', () => {
  it('accepts valid bodies and ignores unknown fields', () => {
    expect(validateBody('createConference', {})).toBeNull();
    expect(
      validateBody('createConference', { name: 'x', layout: 'presenting_selector', profile: 'old' }),
    ).toBeNull();
    expect(validateBody('updateParticipant', { name: null, role: null, priority: 0 })).toBeNull();
    expect(
      validateBody('sendMessage', {
        sendTo: '00e1db72-c57d-478c-88be-3533d43c8b34',
        text: '',
        persistent: true,
      }),
    ).toBeNull();
    expect(validateBody('createStreaming', { url: 'rtmps://a.rtmps.youtube.com/live2/abcd' })).toBeNull();
    expect(validateBody('dial', { from: 'sip:a@b', to: 'sip:c@d', timeout: '15' })).toBeNull();
  });

  it.each([
    [
      'createConference',
      { layout: 'grid' },
      'layout',
      'layout must be one of mosaic, selector, presenting_mosaic, presenting_selector',
    ],
    ['createConference', { name: 42 }, 'name', 'name must be string'],
    ['createParticipant', { priority: -1 }, 'priority', 'priority must be >= 0'],
    ['createParticipant', { role: 'admin' }, 'role', undefined],
    ['createParticipant', { language: 'xx' }, 'language', undefined],
    ['updateParticipant', { name: 'x'.repeat(LIMITS.nameLength + 1) }, 'name', undefined],
    ['sendMessage', { text: 'x' }, 'sendTo', 'sendTo is required'],
    ['sendMessage', { sendTo: 'nope', text: 'x' }, 'sendTo', undefined],
    ['updateTranscription', { started: 'yes' }, 'started', undefined],
    ['createStreaming', { url: 'http://example.com/live' }, 'url', 'url must be an rtmp:// or rtmps:// URL'],
    ['dial', { from: 'sip:a@b', to: 'sip:c@d', timeout: 31 }, 'timeout', undefined],
    ['dial', { from: 'sip:a@b', to: 'sip:c@d', timeout: '4' }, 'timeout', undefined],
  ] as const)('%s %j is refused naming %s', (schema, body, field, error) => {
    const problem = validateBody(schema, body);
    expect(problem?.field).toBe(field);
    if (error) expect(problem?.error).toBe(error);
  });

  it('wants a JSON object as body', () => {
    expect(validateBody('createConference', [])).toEqual({ error: 'request body must be a JSON object' });
    expect(validateBody('createConference', 'x')).toEqual({ error: 'request body must be a JSON object' });
    expect(validateBody('createConference', null)).toEqual({ error: 'request body must be a JSON object' });
  });

  it('reads detailed as a boolean', () => {
    expect(parseDetailed(undefined)).toBe(false);
    expect(parseDetailed('true')).toBe(true);
    expect(parseDetailed('false')).toBe(false);
    expect(parseDetailed('maybe')).toEqual({ error: 'detailed must be true or false', field: 'detailed' });
  });

  it('recognises UUIDs in any case', () => {
    expect(isUuid('00e1db72-c57d-478c-88be-3533d43c8b34')).toBe(true);
    expect(isUuid('00E1DB72-C57D-478C-88BE-3533D43C8B34')).toBe(true);
    expect(isUuid('00e1db72c57d478c88be3533d43c8b34')).toBe(false);
  });
});
