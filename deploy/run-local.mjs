// Runs the whole platform on this machine: conference (migrates the database) first, then notifier,
// gateway, one media node, a recording worker, a transcription worker, a SIP gateway and the demo web application. Each service's structured log goes to stdout with its name; a service that dies is
// restarted with a growing delay, and Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const root = new URL('..', import.meta.url).pathname;
const services = ['conference', 'notifier', 'gateway', 'media', 'recording', 'transcription', 'sip', 'demo'];
const children = new Map();
let stopping = false;

const port = (name, fallback) => process.env[name] ?? fallback;
const health = {
  conference: `http://127.0.0.1:${port('MIND_CONFERENCE_HEALTH_PORT', 8081)}/readyz`,
  notifier: `http://127.0.0.1:${port('MIND_NOTIFIER_PORT', 8082)}/readyz`,
  gateway: `http://127.0.0.1:${port('MIND_HTTP_PORT', 8080)}/readyz`,
  media: `http://127.0.0.1:${port('MIND_MEDIA_HEALTH_PORT', 8083)}/readyz`,
  demo: `http://127.0.0.1:${port('MIND_DEMO_PORT', 8084)}/readyz`,
  recording: `http://127.0.0.1:${port('MIND_RECORDING_HEALTH_PORT', 8085)}/readyz`,
  transcription: `http://127.0.0.1:${port('MIND_TRANSCRIPTION_HEALTH_PORT', 8086)}/readyz`,
  sip: `http://127.0.0.1:${port('MIND_SIP_HEALTH_PORT', 8087)}/readyz`,
};

async function ready(name) {
  for (let i = 0; i < 300 && !stopping; i++) {
    try {
      if ((await fetch(health[name])).ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return false;
}

function start(name, attempt = 0) {
  const child = spawn(process.execPath, [`${root}dist/apps/${name}/src/main.js`], { stdio: 'inherit' });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    const delay = Math.min(30_000, 500 * 2 ** attempt);
    console.error(`[run-local] ${name} exited (${signal ?? code}); restarting in ${delay} ms`);
    setTimeout(() => start(name, attempt + 1), delay);
  });
  return child;
}

function stop() {
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

start('conference');
if (!(await ready('conference'))) {
  console.error('[run-local] the conference service did not become ready');
  stop();
} else {
  for (const name of services.slice(1)) start(name);
  if ((await ready('gateway')) && (await ready('demo'))) {
    const host = process.env.MIND_HTTP_HOST ?? '127.0.0.1';
    const url = `http://${host}:${port('MIND_HTTP_PORT', 8080)}`;
    console.log(`
  Mind platform is running at ${url}
  Demo video rooms: http://${host}:${port('MIND_DEMO_PORT', 8084)}/?room=lobby   (open it in two tabs)
  API docs:        ${url}/docs   (OpenAPI: ${url}/openapi.json)
  Development application (from the Mind API reference, 5 participants, 15 minutes):
    id:    00e1db72-c57d-478c-88be-3533d43c8b34
    token: W1VJggwnvg2ldDdvSYES07tpLCWLDlD5nFakVJ6QSCPiZRpAMGyAzKW07OpM1IpceZ2WT5h5Mu7Ekt7WDTQzMUoQkVTRE4NdYUFE
  Stop with Ctrl-C.
`);
  }
}
