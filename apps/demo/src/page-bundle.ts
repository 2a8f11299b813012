import { join } from 'node:path';
import { build } from 'esbuild';

export const WEB_ROOT = join(__dirname, '../../../../apps/demo/web');

/** The demo page's script with the web client in it, built once when the server starts. */
export async function bundleDemoPage(): Promise<string> {
  const result = await build({
    entryPoints: [join(WEB_ROOT, 'demo-page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    write: false,
    tsconfig: join(WEB_ROOT, 'tsconfig.json'),
  });
  return result.outputFiles[0].text;
}
