import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each recorded segment's media happened and when the recording last started (to place
 * utterances on the recording's timeline), and the kept transcript of a recording: made once the recording of `segments` segments is and its
 * voices' last utterances are in (a table of its own, so conference reads never carry it).
 */
export class RecordingTranscripts1764835200000 implements MigrationInterface {
  name = 'RecordingTranscripts1764835200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recording_segment ADD COLUMN ended_at bigint, ADD COLUMN duration_ms integer`);
    await q.query(`ALTER TABLE conference ADD COLUMN recording_started_at bigint`);
    // Conferences recorded before: recorded (not 404), and a recording in progress goes on from now.
    await q.query(`
      UPDATE conference SET recording_started_at = (extract(epoch FROM now()) * 1000)::bigint
       WHERE recording_started OR EXISTS (SELECT 1 FROM recording_segment s WHERE s.conference_id = conference.id)`);
    await q.query(`
      CREATE TABLE recording_transcript (
        conference_id uuid PRIMARY KEY REFERENCES conference (id) ON DELETE CASCADE,
        segments integer NOT NULL,
        items jsonb NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE recording_transcript`);
    await q.query(`ALTER TABLE conference DROP COLUMN recording_started_at`);
    await q.query(`ALTER TABLE recording_segment DROP COLUMN ended_at, DROP COLUMN duration_ms`);
  }
}
