import { jsonBodyProblem, MAX_JSON_DEPTH, redactUrl } from './json-body';

describe('JSON bodies', () => {
  it('takes what routes take', () => {
    expect(jsonBodyProblem({ name: 'Ann', media: { audio: true }, list: [1, 'two', null] })).toBeNull();
  });

  it('refuses nesting deeper than the limit, anywhere', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep];
    expect(jsonBodyProblem({ ok: true, unknown: deep })?.error).toMatch(/nests deeper/);
    expect(jsonBodyProblem({ unknown: (deep as unknown[])[0] })).toBeNull();
  });

  it('refuses a NUL character in a string (naming its field) or a key', () => {
    expect(jsonBodyProblem({ name: 'An\u0000n' })).toEqual({
      error: 'name contains a NUL character',
      field: 'name',
    });
    expect(jsonBodyProblem({ media: { label: '\u0000' } })).toMatchObject({ field: 'media.label' });
    expect(jsonBodyProblem({ ['a\u0000']: 1 })?.error).toMatch(/key with a NUL/);
  });
});

describe('logged URLs', () => {
  it.each([
    ['/a/b?access_token=secret', '/a/b?access_token=…'],
    ['/a/b?x=1&access_token=secret&y=2', '/a/b?x=1&access_token=…&y=2'],
    ['/a/b?access%5Ftoken=secret', '/a/b?access%5Ftoken=…'],
    ['/a/b?Access_Token=secret', '/a/b?Access_Token=…'],
    ['/a/b?access_token=one&access_token=two', '/a/b?access_token=…&access_token=…'],
    ['/a/b?access_token', '/a/b?access_token=…'],
    ['/a/b?accessXtoken=kept&%E0%A4%A=broken', '/a/b?accessXtoken=kept&%E0%A4%A=broken'],
    ['/a/b', '/a/b'],
  ])('%s is logged as %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });
});
