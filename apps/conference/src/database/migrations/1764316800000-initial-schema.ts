import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764316800000 implements MigrationInterface {
  name = 'InitialSchema1764316800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE application (
        id uuid PRIMARY KEY,
        name text NOT NULL DEFAULT '',
        token_hash bytea NOT NULL,
        max_participants integer NOT NULL CHECK (max_participants > 0),
        max_duration_seconds integer NOT NULL CHECK (max_duration_seconds > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE conference (
        id uuid PRIMARY KEY,
        application_id uuid NOT NULL REFERENCES application (id) ON DELETE CASCADE,
        name text NOT NULL,
        layout text NOT NULL,
        recording_started boolean NOT NULL DEFAULT false,
        transcription_started boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        ending_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX conference_application_idx ON conference (application_id)`);
    await q.query(`CREATE INDEX conference_expiry_idx ON conference (ending_at) WHERE ended_at IS NULL`);
    await q.query(`
      CREATE TABLE participant (
        id uuid PRIMARY KEY,
        conference_id uuid NOT NULL REFERENCES conference (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        name text NOT NULL,
        priority double precision NOT NULL,
        role text NOT NULL,
        layout text NOT NULL,
        language text NOT NULL,
        online boolean NOT NULL DEFAULT false,
        audio boolean NOT NULL DEFAULT false,
        video boolean NOT NULL DEFAULT false,
        secondary_audio boolean NOT NULL DEFAULT false,
        secondary_video boolean NOT NULL DEFAULT false,
        joined_seq bigserial NOT NULL
      )`);
    await q.query(`CREATE INDEX participant_conference_idx ON participant (conference_id, joined_seq)`);
    await q.query(`
      CREATE TABLE message (
        id uuid PRIMARY KEY,
        conference_id uuid NOT NULL REFERENCES conference (id) ON DELETE CASCADE,
        sent_to uuid NOT NULL,
        sent_by uuid NOT NULL,
        sent_at bigint NOT NULL,
        text text NOT NULL,
        persistent boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX message_conference_idx ON message (conference_id, sent_at)`);
    await q.query(`
      CREATE TABLE streaming (
        id uuid PRIMARY KEY,
        conference_id uuid NOT NULL REFERENCES conference (id) ON DELETE CASCADE,
        url text NOT NULL,
        alive boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX streaming_conference_idx ON streaming (conference_id, created_at)`);
    await q.query(`
      CREATE TABLE outbox (
        seq bigserial PRIMARY KEY,
        conference_id uuid NOT NULL,
        payload json NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'streaming', 'message', 'participant', 'conference', 'application']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
