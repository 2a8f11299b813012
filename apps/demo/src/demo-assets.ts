import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { bundleDemoPage, WEB_ROOT } from './page-bundle';

/** The demo's page and its script, bundled from `apps/demo/web` when the demo starts. */
@Injectable()
export class DemoAssets implements OnModuleInit {
  html = '';
  script = '';

  async onModuleInit() {
    [this.script, this.html] = await Promise.all([
      bundleDemoPage(),
      readFile(join(WEB_ROOT, 'index.html'), 'utf8'),
    ]);
  }
}
