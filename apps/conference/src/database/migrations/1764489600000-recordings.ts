import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recorded segments (one per stretch between start/resume and stop/pause) and how many of them the
 * stored MP4 covers: each stop finalises everything recorded so far into one recording.
 */
export class Recordings1764489600000 implements MigrationInterface {
  name = 'Recordings1764489600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recording_segment (
        conference_id uuid NOT NULL REFERENCES conference (id) ON DELETE CASCADE,
        storage_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        seq bigserial,
        PRIMARY KEY (conference_id, storage_key)
      )`);
    await q.query(`ALTER TABLE conference ADD COLUMN recording_segments_ready integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conference DROP COLUMN recording_segments_ready`);
    await q.query(`DROP TABLE recording_segment`);
  }
}
