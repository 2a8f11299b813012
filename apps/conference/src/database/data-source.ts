import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { InitialSchema1764316800000 } from './migrations/1764316800000-initial-schema';
import { MediaSessions1764403200000 } from './migrations/1764403200000-media-sessions';
import { Recordings1764489600000 } from './migrations/1764489600000-recordings';
import { ApplicationChanges1764662400000 } from './migrations/1764662400000-application-changes';
import { Utterances1764748800000 } from './migrations/1764748800000-utterances';
import { RecordingTranscripts1764835200000 } from './migrations/1764835200000-recording-transcripts';
import { ApplicationSipAccounts1764921600000 } from './migrations/1764921600000-application-sip-accounts';
import { ParticipantMediaNodes1765008000000 } from './migrations/1765008000000-participant-media-nodes';
import { ScopeChanges1765094400000 } from './migrations/1765094400000-scope-changes';

export const MIGRATIONS = [
  InitialSchema1764316800000,
  MediaSessions1764403200000,
  Recordings1764489600000,
  ApplicationChanges1764662400000,
  Utterances1764748800000,
  RecordingTranscripts1764835200000,
  ApplicationSipAccounts1764921600000,
  ParticipantMediaNodes1765008000000,
  ScopeChanges1765094400000,
];

/** Schema changes only ever come from the migrations (never `synchronize`). */
export function createDataSource(databaseUrl: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    extra: { max: 20 },
  });
}

/** Creates the database named in the URL if it does not exist yet (local and CI set-ups start empty). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new DataSource({ type: 'postgres', url: url.toString() });
  await admin.initialize();
  try {
    const rows = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    // Two processes racing to create it is fine: one wins.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await admin.destroy();
  }
}
