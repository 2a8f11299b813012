// Part of `npm run build`: the demo page's script (with the web client in it) bundled for browsers,
// next to its HTML in dist/apps/demo/web, so that the demo server (and its image) serves files and
// needs no bundler at run time.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'apps/demo/web');
const out = join(root, 'dist/apps/demo/web');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(web, 'demo-page.ts')],
  outfile: join(out, 'demo-page.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  tsconfig: join(web, 'tsconfig.json'),
  logLevel: 'warning',
});
copyFileSync(join(web, 'index.html'), join(out, 'index.html'));
