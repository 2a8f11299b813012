import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '@mind/config';
import { isUuid } from '@mind/contracts';
import { createApplication, rotateApplicationToken } from './applications/application-registry';
import { createDataSource, ensureDatabase } from './database/data-source';
import { migrate } from './database/migrate';

const USAGE = `Operator commands of the Mind platform.

  migrate
      Creates the database if needed and applies pending migrations.
  create-application [--name NAME] [--max-participants N] [--max-duration SECONDS]
      Creates an application and prints its id and token (the token is shown only this once).
  rotate-application-token --id ID
      Gives an application a new token and prints it; the old token stops working at once.
`;
const COMMANDS = ['migrate', 'create-application', 'rotate-application-token'];

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 2_147_483_647) {
    throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
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
    if (command === 'rotate-application-token') {
      const id = values.id ?? '';
      if (!isUuid(id)) throw new Error('--id must be the UUID of an application');
      const rotated = await rotateApplicationToken(dataSource, id.toLowerCase());
      if (!rotated) throw new Error(`there is no application ${id}`);
      process.stdout.write(JSON.stringify(rotated, null, 2) + '\n');
      return 0;
    }
    const { id, token } = await createApplication(dataSource, {
      name: values.name ?? '',
      maxParticipants,
      maxDurationSeconds,
    });
    process.stdout.write(
      JSON.stringify({ id, token, name: values.name ?? '', maxParticipants, maxDurationSeconds }, null, 2) +
        '\n',
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
