import { placeOnRecording, recordedStretches } from './recording-timeline';

describe('recording timeline', () => {
  // Two segments: 10:00:00-10:00:08 and, after a pause, 10:00:20-10:00:25; then recording again since 10:00:40.
  const T = Date.UTC(2026, 0, 1, 10);
  const stretches = recordedStretches(
    [
      { endedAt: T + 8000, durationMs: 8000 },
      { endedAt: T + 25_000, durationMs: 5000 },
    ],
    T + 40_000,
  );
  const said = (participantId: string, startedAt: number, text: string) => ({
    participantId,
    startedAt,
    text,
  });

  it('places what was said while recording on the recording, pauses removed', () => {
    const items = placeOnRecording(
      [
        said('a', T + 1000, 'first'),
        said('b', T + 12_000, 'during the pause'),
        said('a', T + 21_500, 'after the pause'),
        said('b', T + 41_000, 'in the stretch being recorded'),
        said('a', T - 500, 'before the recording'),
      ],
      stretches,
    );
    expect(items).toEqual([
      { timestamp: 1000, participantId: 'a', text: 'first' },
      { timestamp: 9500, participantId: 'a', text: 'after the pause' },
      { timestamp: 14_000, participantId: 'b', text: 'in the stretch being recorded' },
    ]);
  });

  it('a segment of unknown timing places nothing and takes no time', () => {
    const spans = recordedStretches(
      [
        { endedAt: null, durationMs: null },
        { endedAt: T + 3000, durationMs: 3000 },
      ],
      null,
    );
    expect(placeOnRecording([said('a', T + 500, 'x')], spans)).toEqual([
      { timestamp: 500, participantId: 'a', text: 'x' },
    ]);
  });
});
