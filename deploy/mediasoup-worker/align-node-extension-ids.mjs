// Gives mediasoup's Node side the same header extension ids as our worker build (extension-ids.json):
// routers advertise them, and consumers keep an extension only when the subscriber uses the same id.
// npm ci restores the package, so setup runs this every time; it is idempotent.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const ids = JSON.parse(readFileSync(`${here}extension-ids.json`, 'utf8'));
const main = require.resolve('mediasoup', { paths: [`${here}../..`] });
const file = join(dirname(main), 'supportedRtpCapabilities.js');

let source = readFileSync(file, 'utf8');
for (const [name, entry] of Object.entries(ids)) {
  if (name.startsWith('_')) continue;
  const escaped = entry.uri.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const pattern = new RegExp(`(uri: '${escaped}',\\s*preferredId: )\\d+`, 'g');
  if (!pattern.test(source)) throw new Error(`${entry.uri} not found in ${file}`);
  source = source.replace(pattern, `$1${entry.id}`);
}
writeFileSync(file, source);
