// `npm run docs:protocol`: writes each app's protocol card (what it serves, calls, emits, follows and
// queues over NATS and BullMQ) into its README, from the protocol table of libs/contracts (built).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { protocolCard, withProtocolCard, SERVICE_NAMES } = createRequire(import.meta.url)(
  join(root, 'dist/libs/contracts/src/index.js'),
);
for (const service of SERVICE_NAMES) {
  const file = join(root, 'apps', service, 'README.md');
  const updated = withProtocolCard(readFileSync(file, 'utf8'), protocolCard(service));
  if (updated === null) throw new Error(`${file} has no protocol card markers`);
  writeFileSync(file, updated);
}
