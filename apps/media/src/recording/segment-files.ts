import { randomBytes } from 'node:crypto';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SEGMENT_FILE = new RegExp(`^(${UUID})-\\d{13}-[0-9a-f]{6}\\.ts$`);

/**
 * A new segment file's name: its conference, then the time it began, so that the names of one
 * conference's segments sort in recording order and a node restarted after a crash knows whose
 * leftover a file is.
 */
export function segmentFileName(conferenceId: string, now = Date.now()): string {
  return `${conferenceId}-${String(now).padStart(13, '0')}-${randomBytes(3).toString('hex')}.ts`;
}

/** The conference a segment file belongs to, or null for a file that is not a segment. */
export function segmentConference(fileName: string): string | null {
  return SEGMENT_FILE.exec(fileName)?.[1] ?? null;
}
