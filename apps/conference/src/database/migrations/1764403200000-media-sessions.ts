import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which media node hosts a conference, and which WebRTC session of a participant is the current one. */
export class MediaSessions1764403200000 implements MigrationInterface {
  name = 'MediaSessions1764403200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conference ADD COLUMN media_node_id text`);
    await q.query(
      `CREATE INDEX conference_media_node_idx ON conference (media_node_id) WHERE ended_at IS NULL`,
    );
    await q.query(`ALTER TABLE participant ADD COLUMN session_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE participant DROP COLUMN session_id`);
    await q.query(`DROP INDEX conference_media_node_idx`);
    await q.query(`ALTER TABLE conference DROP COLUMN media_node_id`);
  }
}
