import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change to an application (a rotated token, a deletion) is announced on the
 * `application_changed` channel when it commits, whoever made it: the conference services drop what
 * they cached about it at once.
 */
export class ApplicationChanges1764662400000 implements MigrationInterface {
  name = 'ApplicationChanges1764662400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_application_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('application_changed', OLD.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER application_changed AFTER UPDATE OR DELETE ON application
        FOR EACH ROW EXECUTE FUNCTION notify_application_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER application_changed ON application`);
    await q.query(`DROP FUNCTION notify_application_changed()`);
  }
}
