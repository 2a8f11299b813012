// mediasoup reads MEDIASOUP_WORKER_BIN when it is first imported: point it at the project's cached
// worker when a test run did not (npm test does).
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

if (!process.env.MEDIASOUP_WORKER_BIN) {
  process.env.MEDIASOUP_WORKER_BIN = execFileSync('bash', [
    join(__dirname, '../deploy/mediasoup-worker/build.sh'),
    '--path',
  ])
    .toString()
    .trim();
}
