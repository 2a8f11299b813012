import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The media node holding each participant's session: the conference's own node until the
 * conference outgrows a node's share, another node after (its streams piped between the nodes).
 */
export class ParticipantMediaNodes1765008000000 implements MigrationInterface {
  name = 'ParticipantMediaNodes1765008000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE participant ADD COLUMN media_node_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE participant DROP COLUMN media_node_id`);
  }
}
