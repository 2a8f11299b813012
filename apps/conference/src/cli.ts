import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '@mind/config';
import { isUuid } from '@mind/contracts';
import {
  createApplication,
  rotateApplicationToken,
  setApplicationSipAccount,
} from './applications/application-registry';
import { createDataSource, ensureDatabase } from './database/data-source';
import { migrate } from './database/migrate';

const USAGE = `Operator commands of the Mind platform.

  migrate
      Creates the database if needed and applies pending migrations.
  create-application [--name NAME] [--max-participants N] [--max-duration SECONDS]
      Creates an application and prints its id and token (the token is shown only this once).
  rotate-application-token --id ID
      Gives an application a new token and prints it; the old token stops working at once.
  set-application-sip --id ID (--username USER --password-file FILE | --clear)
      Sets the SIP account (digest credentials) of an application's calls, the password read from the
      first line of FILE (never from the command line); --clear goes back to the gateways' default.
`;
const COMMANDS = ['migrate', 'create-application', 'rotate-application-token', 'set-application-sip'];

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 2_147_483_647) {
    throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

/** A SIP account from the command line: a user name (no control characters) and its password's file. */
function sipAccount(username: string | undefined, passwordFile: string | undefined) {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (!username || /[\x00-\x1f\x7f]/.test(username) || username.length > 256)
    throw new Error('--username must be a SIP user name (or give --clear)');
  if (!passwordFile) throw new Error('--password-file must name a file holding the password');
  const password = readFileSync(passwordFile, 'utf8').split(/\r?\n/)[0];
  if (!password) throw new Error(`${passwordFile} holds no password on its first line`);
  return { username, password };
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (!COMMANDS.includes(command)) {
    process.stdout.write(USAGE);
    return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
  const config = loadConfig();
  const { values } = parseArgs({
    args: rest,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      'max-participants': { type: 'string' },
      'max-duration': { type: 'string' },
      username: { type: 'string' },
      'password-file': { type: 'string' },
      clear: { type: 'boolean' },
    },
  });
  const maxParticipants = positiveInteger(
    'max-participants',
    values['max-participants'],
    config.defaults.maxParticipants,
  );
  const maxDurationSeconds = positiveInteger(
    'max-duration',
    values['max-duration'],
    config.defaults.maxDurationSeconds,
  );
  await ensureDatabase(config.databaseUrl);
  const dataSource = createDataSource(config.databaseUrl);
  await dataSource.initialize();
  try {
    const applied = await migrate(dataSource);
    if (command === 'migrate') {
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
      return 0;
    }
    const id = values.id ?? '';
    if (command === 'set-application-sip') {
      if (!isUuid(id)) throw new Error('--id must be the UUID of an application');
      const account = values.clear ? null : sipAccount(values.username, values['password-file']);
      if (!(await setApplicationSipAccount(dataSource, id.toLowerCase(), account)))
        throw new Error(`there is no application ${id}`);
      process.stdout.write(JSON.stringify({ id, sipUsername: account?.username ?? null }, null, 2) + '\n');
      return 0;
    }
    if (command === 'rotate-application-token') {
      if (!isUuid(id)) throw new Error('--id must be the UUID of an application');
      const rotated = await rotateApplicationToken(dataSource, id.toLowerCase());
      if (!rotated) throw new Error(`there is no application ${id}`);
      process.stdout.write(JSON.stringify(rotated, null, 2) + '\n');
      return 0;
    }
    const { id: created, token } = await createApplication(dataSource, {
      name: values.name ?? '',
      maxParticipants,
      maxDurationSeconds,
    });
    process.stdout.write(
      JSON.stringify(
        { id: created, token, name: values.name ?? '', maxParticipants, maxDurationSeconds },
        null,
        2,
      ) + '\n',
    );
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
