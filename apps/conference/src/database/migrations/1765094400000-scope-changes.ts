import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change to a conference or to one of its participants is announced on the `scope_changed`
 * channel (payload: the conference's id) when it commits, whoever made it: the conference services
 * drop the call scopes they cached for that conference at once.
 */
export class ScopeChanges1765094400000 implements MigrationInterface {
  name = 'ScopeChanges1765094400000';

  async up(q: QueryRunner): Promise<void> {
    // One function for both tables: the trigger names the column holding the conference's id.
    await q.query(`
      CREATE FUNCTION notify_scope_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('scope_changed', to_jsonb(COALESCE(NEW, OLD)) ->> TG_ARGV[0]);
        RETURN NULL;
      END $$`);
    for (const [table, column] of [
      ['conference', 'id'],
      ['participant', 'conference_id'],
    ]) {
      await q.query(`
        CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION notify_scope_changed('${column}')`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER participant_changed ON participant`);
    await q.query(`DROP TRIGGER conference_changed ON conference`);
    await q.query(`DROP FUNCTION notify_scope_changed()`);
  }
}
