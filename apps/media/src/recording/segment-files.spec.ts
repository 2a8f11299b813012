import { segmentConference, segmentFileName } from './segment-files';

describe('segment file names', () => {
  const conferenceId = '0b7d4a52-3c1e-4f7a-9d2b-8e6f5a4c3b21';

  it('name their conference, and sort in the order they began', () => {
    const first = segmentFileName(conferenceId, 1_700_000_000_000);
    const second = segmentFileName(conferenceId, 1_700_000_005_000);
    expect(segmentConference(first)).toBe(conferenceId);
    expect([second, first].sort()).toEqual([first, second]);
  });

  it('leave other files alone', () => {
    for (const name of ['notes.txt', `${conferenceId}.ts`, `${conferenceId}-12-abcdef.ts`, '../x.ts']) {
      expect(segmentConference(name)).toBeNull();
    }
  });
});
