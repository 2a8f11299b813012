import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, type OnModuleInit } from '@nestjs/common';

/** The page and its script, bundled from `apps/demo/web` by `npm run build` (deploy/bundle-demo.mjs). */
const WEB_ROOT = join(__dirname, '../web');

/** The demo's page and its script, read when the demo starts. */
@Injectable()
export class DemoAssets implements OnModuleInit {
  html = '';
  script = '';

  async onModuleInit() {
    [this.script, this.html] = await Promise.all([
      readFile(join(WEB_ROOT, 'demo-page.js'), 'utf8'),
      readFile(join(WEB_ROOT, 'index.html'), 'utf8'),
    ]);
  }
}
