// Lets compiled apps resolve `@mind/<lib>` the way TypeScript's path aliases do in the sources:
// dist/node_modules/@mind/<lib> re-exports dist/libs/<lib>/src, found by Node's normal lookup.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
for (const lib of readdirSync(join(root, 'libs'))) {
  const dir = join(root, 'dist/node_modules/@mind', lib);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), `module.exports = require('../../../libs/${lib}/src/index.js');\n`);
}
