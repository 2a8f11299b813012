import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An application's own SIP account: the digest credentials its calls answer challenges with (the
 * password in clear, as digest needs it; absent, the gateways' default account is used).
 */
export class ApplicationSipAccounts1764921600000 implements MigrationInterface {
  name = 'ApplicationSipAccounts1764921600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE application ADD COLUMN sip_username text, ADD COLUMN sip_password text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE application DROP COLUMN sip_username, DROP COLUMN sip_password`);
  }
}
