import { entersMix } from '@mind/contracts';
import { arrangeTiles, gridCells, type MixedParticipant } from './layout';

const frame = { width: 1280, height: 720 };
const person = (id: string, extra: Partial<MixedParticipant> = {}): MixedParticipant => ({
  id,
  name: id.toUpperCase(),
  role: 'speaker',
  priority: 0,
  online: true,
  primaryAudio: true,
  primaryVideo: true,
  secondaryVideo: false,
  ...extra,
});

describe('mixer layout', () => {
  it('mixes by role: attendee never, speaker primary, presenter and moderator both', () => {
    expect([entersMix('attendee', 'primary'), entersMix('attendee', 'secondary')]).toEqual([false, false]);
    expect([entersMix('speaker', 'primary'), entersMix('speaker', 'secondary')]).toEqual([true, false]);
    expect([entersMix('presenter', 'secondary'), entersMix('moderator', 'secondary')]).toEqual([true, true]);
  });

  it('lays a mosaic out by priority: name cards for the camera-less, nobody for attendees, offline people or those sending nothing', () => {
    const tiles = arrangeTiles(
      'mosaic',
      [
        person('a', { priority: 1 }),
        person('b', { priority: 5 }),
        person('c', { role: 'attendee', priority: 9 }),
        person('d', { online: false }),
        person('e', { primaryVideo: false, priority: 2 }),
        person('f', { primaryVideo: false, primaryAudio: false, priority: 3 }),
      ],
      null,
      frame,
    );
    expect(tiles.map((t) => [t.participantId, t.video])).toEqual([
      ['b', true],
      ['e', false],
      ['a', true],
    ]);
    for (const tile of tiles) expect(tile.fit).toBe('cover');
  });

  it('shows the loudest speaker alone in selector, the first by priority when nobody speaks', () => {
    const people = [person('a', { priority: 1 }), person('b')];
    expect(arrangeTiles('selector', people, 'b', frame).map((t) => t.participantId)).toEqual(['b']);
    expect(arrangeTiles('selector', people, null, frame)).toEqual([
      expect.objectContaining({ participantId: 'a', rect: { x: 0, y: 0, width: 1280, height: 720 } }),
    ]);
  });

  it("switches to presentation mode when a presenter shares a screen, a speaker's screen does not count", () => {
    const people = [
      person('a'),
      person('s', { secondaryVideo: true }),
      person('p', { role: 'presenter', secondaryVideo: true }),
    ];
    const mosaic = arrangeTiles('mosaic', people, null, frame);
    expect(mosaic).toEqual([
      expect.objectContaining({
        participantId: 'p',
        source: 'secondary',
        fit: 'contain',
        rect: { x: 0, y: 0, ...frame },
      }),
    ]);
    const presenting = arrangeTiles('presenting_mosaic', people, null, frame);
    expect(presenting.map((t) => [t.participantId, t.source])).toEqual([
      ['p', 'secondary'],
      ['p', 'primary'],
    ]);
    const overlay = presenting[1].rect;
    expect(overlay.x + overlay.width).toBeLessThan(frame.width);
    expect(overlay.y + overlay.height).toBeLessThan(frame.height);
    expect(overlay.width).toBe(320);
    expect(arrangeTiles('selector', people, 'a', frame).map((t) => t.source)).toEqual(['secondary']);
  });

  it('makes grids of even, non-overlapping cells inside the frame', () => {
    for (let count = 1; count <= 12; count++) {
      const cells = gridCells(count, frame);
      expect(cells).toHaveLength(count);
      for (const cell of cells) {
        expect([cell.x % 2, cell.y % 2, cell.width % 2, cell.height % 2]).toEqual([0, 0, 0, 0]);
        expect(cell.x + cell.width).toBeLessThanOrEqual(frame.width);
        expect(cell.y + cell.height).toBeLessThanOrEqual(frame.height);
      }
      for (let i = 0; i < count; i++)
        for (let j = i + 1; j < count; j++) {
          const [a, b] = [cells[i], cells[j]];
          const apart =
            a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
          expect(apart).toBe(true);
        }
    }
    expect(gridCells(1, frame)).toEqual([{ x: 0, y: 0, width: 1280, height: 720 }]);
    expect(gridCells(4, frame).map((c) => c.width)).toEqual([640, 640, 640, 640]);
    // Two people sit side by side.
    expect(gridCells(2, frame).map((c) => [c.x, c.y])).toEqual([
      [0, 180],
      [640, 180],
    ]);
  });
});
