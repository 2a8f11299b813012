import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What participants said, as the transcription workers recognised it: every utterance of a voice
 * transcribed for live transcription or for a recording, by when it was said. `live`: it was said while
 * live transcription was started (those are notified and listed).
 */
export class Utterances1764748800000 implements MigrationInterface {
  name = 'Utterances1764748800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE utterance (
        id uuid PRIMARY KEY,
        conference_id uuid NOT NULL REFERENCES conference (id) ON DELETE CASCADE,
        participant_id uuid NOT NULL,
        started_at bigint NOT NULL,
        ended_at bigint NOT NULL,
        text text NOT NULL,
        live boolean NOT NULL
      )`);
    await q.query(`CREATE INDEX utterance_by_time ON utterance (conference_id, started_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE utterance`);
  }
}
