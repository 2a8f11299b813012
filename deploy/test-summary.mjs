// Sums up Jest's JSON results (of deploy/test.sh; several files add up): counts, and the slowest test
// files, so that the suite's time (budget: well under 30 minutes) stays in view.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const runs = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')));
const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
console.log(
  `${sum('numPassedTests')} passed, ${sum('numFailedTests')} failed, ${sum('numPendingTests')} skipped`,
);
const files = runs
  .flatMap((run) => run.testResults)
  .map((result) => [(result.endTime - result.startTime) / 1000, relative(process.cwd(), result.name)]);
const seconds = files.reduce((total, [s]) => total + s, 0);
console.log(`${files.length} files, ${Math.round(seconds)} s in all; the slowest:`);
for (const [s, name] of files.sort((a, b) => b[0] - a[0]).slice(0, 15)) {
  console.log(`${s.toFixed(0).padStart(6)} s  ${name}`);
}
