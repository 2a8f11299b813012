/** What a line's msid label asks for. */
export type LineTarget =
  | { kind: 'own'; source: 'primary' | 'secondary' }
  | { kind: 'participant'; participantId: string; source: 'primary' | 'secondary' }
  | { kind: 'conference' }
  | { kind: 'none' };

const PARTICIPANT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})#(primary|secondary)$/i;

export function targetOf(label: string | null): LineTarget {
  if (label === 'me#primary') return { kind: 'own', source: 'primary' };
  if (label === 'me#secondary') return { kind: 'own', source: 'secondary' };
  if (label === 'conference') return { kind: 'conference' };
  const match = label ? PARTICIPANT.exec(label) : null;
  return match
    ? {
        kind: 'participant',
        participantId: match[1].toLowerCase(),
        source: match[2] as 'primary' | 'secondary',
      }
    : { kind: 'none' };
}

/** The stream key of a participant's source, as used in labels: `<participantId>#primary`. */
export const streamKey = (participantId: string, source: 'primary' | 'secondary') =>
  `${participantId}#${source}`;
