import { entersMix, type Layout, type Role, type Source } from '@mind/contracts';

export interface Size {
  width: number;
  height: number;
}

export interface Rect extends Size {
  x: number;
  y: number;
}

/** What the layout needs to know of a participant. */
export interface MixedParticipant {
  id: string;
  name: string;
  role: Role;
  priority: number;
  online: boolean;
  primaryAudio: boolean;
  primaryVideo: boolean;
  secondaryVideo: boolean;
}

/** One picture of the mixed frame: a participant's video (or its name card) in a rectangle. */
export interface Tile {
  participantId: string;
  source: Source;
  name: string;
  rect: Rect;
  /** Cameras fill their tile (cropped); a shared screen is shown whole (letterboxed). */
  fit: 'cover' | 'contain';
  /** False when the participant sends no such video: its name card is drawn instead. */
  video: boolean;
}

const byPriority = (a: MixedParticipant, b: MixedParticipant) => b.priority - a.priority;
const even = (value: number) => Math.floor(value / 2) * 2;

/**
 * The mixed frame for a conference layout (participant protocol, "Roles and layouts"): presentation
 * mode while a presenter or moderator shares its screen (that screen full frame, with the presenter's
 * camera overlaid bottom-right for `presenting_*`), else a priority-ordered grid (`mosaic`) or the
 * loudest speaker (`selector`).
 */
export function arrangeTiles(
  layout: Layout,
  participants: MixedParticipant[],
  loudest: string | null,
  frame: Size,
): Tile[] {
  // Someone who sends nothing has nothing to mix: no tile (a muted camera with a live microphone has one).
  const mixable = participants
    .filter(
      (p) =>
        p.online && entersMix(p.role, 'primary') && (p.primaryAudio || p.primaryVideo || p.secondaryVideo),
    )
    .sort(byPriority);
  const presenter = mixable.find((p) => p.secondaryVideo && entersMix(p.role, 'secondary'));
  const whole: Rect = { x: 0, y: 0, ...frame };
  const tile = (p: MixedParticipant, source: Source, rect: Rect): Tile => ({
    participantId: p.id,
    source,
    name: p.name,
    rect,
    fit: source === 'secondary' ? 'contain' : 'cover',
    video: source === 'primary' ? p.primaryVideo : p.secondaryVideo,
  });

  if (presenter) {
    const tiles = [tile(presenter, 'secondary', whole)];
    if (layout.startsWith('presenting_')) tiles.push(tile(presenter, 'primary', overlayRect(frame)));
    return tiles;
  }
  if (mixable.length === 0) return [];
  if (layout === 'selector' || layout === 'presenting_selector') {
    const speaker = mixable.find((p) => p.id === loudest) ?? mixable[0];
    return [tile(speaker, 'primary', whole)];
  }
  const cells = gridCells(mixable.length, frame);
  return mixable.map((p, index) => tile(p, 'primary', cells[index]));
}

/** The presenter's camera over the shared screen: a quarter of the width, bottom-right, with a margin. */
function overlayRect(frame: Size): Rect {
  const width = even(frame.width / 4);
  const height = even((width * 9) / 16);
  const margin = even(frame.width / 64);
  return { x: frame.width - width - margin, y: frame.height - height - margin, width, height };
}

/**
 * A grid of `count` 16:9 cells as large as the frame allows, centred, with the last row centred too.
 * Coordinates are even so that the chroma planes of I420 frames line up.
 */
export function gridCells(count: number, frame: Size): Rect[] {
  let best = { columns: 1, width: 0, height: 0 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const width = Math.min(frame.width / columns, ((frame.height / rows) * 16) / 9);
    // On a tie, more columns: side by side suits a wide frame better than stacked.
    if (width >= best.width) best = { columns, width, height: (width * 9) / 16 };
  }
  const { columns } = best;
  const width = even(best.width);
  const height = even(best.height);
  const rows = Math.ceil(count / columns);
  const top = even((frame.height - rows * height) / 2);
  const cells: Rect[] = [];
  for (let index = 0; index < count; index++) {
    const row = Math.floor(index / columns);
    const inRow = row === rows - 1 ? count - row * columns : columns;
    const left = even((frame.width - inRow * width) / 2);
    cells.push({ x: left + (index % columns) * width, y: top + row * height, width, height });
  }
  return cells;
}
