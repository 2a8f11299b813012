// Speech recognition as the transcription service will run it (libs/asr from dist/: Silero VAD, then
// PocketSphinx on each utterance), next to the same engine run directly on each sentence's WAV, in the
// same run: word error rate per test set (flite voices at 16 kHz; the same through an 8 kHz line, with
// the upper band filled), CPU per second of audio, memory per stream, and how long after the end of
// speech an utterance is ready; then, live through the platform (a Chromium participant speaking into a
// media node and a transcription worker), how long after the end of speech the application socket has
// each utterance. See bench/README.md.
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { launchChromium, webClientPages } from './lib/browser.mjs';
import { ROOT, api, createApplication, sleep, startPlatform, stopPlatform } from './lib/platform.mjs';

const asr = await import(join(ROOT, 'dist/libs/asr/src/index.js'));
const { speak, silence, concat, wavFile } = await import(join(ROOT, 'dist/libs/asr/src/test-speech.js'));

const VOICES = (process.env.BENCH_VOICES ?? 'slt,awb,rms,kal16').split(',');
const STREAMS = Number(process.env.BENCH_STREAMS ?? 3);
const SENTENCES = [
  'please send me the recording of the meeting tomorrow',
  'we should move the release to next week',
  'the weather in london is cold and rainy today',
  'can everyone hear me clearly now',
  'i will share my screen in a minute',
  'let us talk about the budget for the next quarter',
].slice(0, Number(process.env.BENCH_SENTENCES ?? 6));
const GAP_MS = 1200;
/**
 * Where speech falls against the recogniser's 10 ms frames moves a few marginal words either way (one
 * sentence set gave the engine alone 14 to 20 errors in 200 words across phases): each test set runs
 * at this many phases, the audio delayed by an even share of a frame, and the figures are their sum.
 */
const PHASES = Number(process.env.BENCH_PHASES ?? 8);
if (!Number.isInteger(PHASES) || PHASES < 1) {
  console.error(
    `BENCH_PHASES must be a positive whole number, got ${JSON.stringify(process.env.BENCH_PHASES)}`,
  );
  process.exit(2);
}
const FRAME_SAMPLES = 160;
const PADDING_MS = Number(process.env.BENCH_PADDING_MS ?? 200);
const CHUNK = 320; // 20 ms, as RTP brings it
const LIVE = process.env.BENCH_LIVE !== '0';
const LIVE_LEAD_MS = 3000;
const LIVE_GAP_MS = 2500;

const engine = new asr.PocketSphinxEngine();
const cpuSeconds = (since) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

/** The engine alone on each sentence's audio, one utterance each (the decoder's loading not counted). */
function direct(sentences, narrowband, delay) {
  const stream = engine.open('en');
  const cpu = process.cpuUsage();
  try {
    const text = sentences
      .map((sentence) => {
        const audio = concat([new Int16Array(delay), sentence]);
        stream.accept(narrowband ? new asr.BandFill().apply(audio) : audio);
        return stream.finish().text;
      })
      .join(' ');
    return { text, cpu: cpuSeconds(cpu) };
  } finally {
    stream.close();
  }
}

/** The pipeline on a conversation, fed 20 ms at a time; latency from each chunk that ended an utterance. */
function pipeline(audio, narrowband) {
  const transcriber = new asr.StreamTranscriber(engine, 'en', { narrowband, paddingMs: PADDING_MS });
  const latencies = [];
  const texts = [];
  const cpu = process.cpuUsage();
  try {
    for (let at = 0; at < audio.length; at += CHUNK) {
      const started = performance.now();
      const utterances = transcriber.accept(audio.subarray(at, at + CHUNK));
      // The detector waits for 500 ms of silence (audio time), then the recogniser works (wall time).
      if (utterances.length > 0) latencies.push(500 + performance.now() - started);
      texts.push(...utterances.map((u) => u.text));
    }
    texts.push(...transcriber.finish().map((u) => u.text));
  } finally {
    transcriber.close();
  }
  return { text: texts.join(' '), cpu: cpuSeconds(cpu), latencies };
}

/** Each voice's sentences at every phase: alone and through the pipeline; errors per phase too. */
function testSet(name, rate, narrowband) {
  const reference = SENTENCES.join(' ');
  const words = reference.split(' ').length;
  const rows = [];
  const errorsByPhase = { direct: new Array(PHASES).fill(0), pipeline: new Array(PHASES).fill(0) };
  for (const voice of VOICES) {
    const sentences = SENTENCES.map((sentence) => speak(sentence, voice, rate));
    const speechS = (PHASES * sentences.reduce((n, a) => n + a.length, 0)) / 16000;
    const row = {
      voice,
      directWer: 0,
      pipelineWer: 0,
      directRtf: 0,
      pipelineRtf: 0,
      liveLoad: 0,
      latencies: [],
    };
    for (let phase = 0; phase < PHASES; phase++) {
      const delay = Math.round((phase * FRAME_SAMPLES) / PHASES);
      const alone = direct(sentences, narrowband, delay);
      const parts = [silence(GAP_MS), new Int16Array(delay)];
      for (const audio of sentences) parts.push(audio, silence(GAP_MS));
      const conversation = concat(parts);
      const run = pipeline(conversation, narrowband);
      const directWer = asr.wordErrorRate(reference, alone.text);
      const pipelineWer = asr.wordErrorRate(reference, run.text);
      errorsByPhase.direct[phase] += Math.round(directWer * words);
      errorsByPhase.pipeline[phase] += Math.round(pipelineWer * words);
      row.directWer += directWer / PHASES;
      row.pipelineWer += pipelineWer / PHASES;
      row.directRtf += alone.cpu / speechS;
      row.pipelineRtf += run.cpu / speechS;
      row.liveLoad += run.cpu / (conversation.length / 16000) / PHASES;
      row.latencies.push(...run.latencies);
    }
    rows.push(row);
  }
  return { name, rows, errorsByPhase, words: words * VOICES.length };
}

/** RSS each decoder adds beyond a first one (which maps the model's files, shared by the others). */
function memoryPerStream() {
  const first = engine.open('en');
  global.gc?.();
  const before = process.memoryUsage().rss;
  const streams = Array.from({ length: STREAMS }, () => engine.open('en'));
  global.gc?.();
  const after = process.memoryUsage().rss;
  for (const stream of [first, ...streams]) stream.close();
  return (after - before) / STREAMS / 2 ** 20;
}

console.log(
  `cores: ${os.cpus().length} (${os.cpus()[0]?.model ?? 'unknown'}), load average: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `${VOICES.length} flite voices x ${SENTENCES.length} sentences, ${GAP_MS} ms between them, ${PADDING_MS} ms of padding, ${PHASES} frame phases\n`,
);
const sets = [
  testSet('16 kHz', 16000, false),
  testSet('8 kHz line', 8000, false),
  testSet('8 kHz line, band filled', 8000, true),
];

console.log(
  '| test set | voice | WER engine alone | WER pipeline | ratio | CPU s per speech s: engine alone | pipeline |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
const latencies = [];
for (const { name, rows } of sets) {
  const mean = (key) => rows.reduce((n, r) => n + r[key], 0) / rows.length;
  for (const r of [
    ...rows,
    {
      voice: 'all',
      ...Object.fromEntries(
        ['directWer', 'pipelineWer', 'directRtf', 'pipelineRtf'].map((k) => [k, mean(k)]),
      ),
    },
  ]) {
    const ratio =
      r.directWer > 0 ? (r.pipelineWer / r.directWer).toFixed(2) : r.pipelineWer === 0 ? '1.00' : '-';
    console.log(
      `| ${name} | ${r.voice} | ${(100 * r.directWer).toFixed(0)} % | ${(100 * r.pipelineWer).toFixed(0)} % | ${ratio} | ${r.directRtf.toFixed(3)} | ${r.pipelineRtf.toFixed(3)} |`,
    );
  }
  latencies.push(...rows.flatMap((r) => r.latencies));
}
console.log('');
for (const { name, errorsByPhase, words } of sets) {
  console.log(
    `${name}, errors in ${words} words per phase: engine alone ${errorsByPhase.direct.join(', ')}; pipeline ${errorsByPhase.pipeline.join(', ')}`,
  );
}
const live = sets[0].rows.reduce((n, r) => n + r.liveLoad, 0) / sets[0].rows.length;
console.log('');
console.log(`CPU per live stream (a conversation with pauses): ${(100 * live).toFixed(1)} % of one core`);
console.log(`streams per core, the core at most half busy: ${Math.floor(0.5 / live)}`);
console.log(`memory per stream (a decoder): ${memoryPerStream().toFixed(0)} MiB`);
console.log(
  `end of speech -> utterance ready (500 ms of silence + recognition): p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms`,
);

/**
 * One participant of a real conference says the sentences (Chromium's fake microphone plays them once,
 * from when the page opens it); the application socket takes each utterance's notification. Latency:
 * its arrival minus the end of its speech as the transcription worker heard it (`utterance.ended_at`,
 * the same machine's clock), so the detector's 500 ms of silence, the recognition and the hops
 * worker -> conference service -> notifier -> socket.
 */
async function throughPlatform(voice, sentences) {
  const { default: WebSocket } = await import('ws');
  const { default: pg } = await import('pg');
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://mind:mind@127.0.0.1:5432/mind_bench';
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-transcription-'));
  let platform;
  let pages;
  let browser;
  let socket;
  try {
    platform = await startPlatform({ databaseUrl, natsUrl, media: true, transcription: true });
    const app = await createApplication(platform.env);
    const conference = await api(platform.url, 'POST', `/${app.id}`, app.token, {
      name: 'transcription bench',
    });
    const base = `/${app.id}/${conference.id}`;
    const arrivals = new Map();
    socket = new WebSocket(
      `${platform.url.replace(/^http/, 'ws')}${base}?access_token=${encodeURIComponent(app.token)}`,
    );
    socket.on('message', (data) => {
      const { type, location, resource } = JSON.parse(data.toString());
      if (type === 'created' && String(location).startsWith('/transcription/utterances/')) {
        arrivals.set(resource.id, { at: Date.now(), text: resource.text });
      }
    });
    await once(socket, 'open');
    await api(platform.url, 'PATCH', `${base}/transcription`, app.token, { started: true });
    const speaker = await api(platform.url, 'POST', `${base}/participants`, app.token, { name: 'speaker' });

    const parts = [silence(LIVE_LEAD_MS)];
    for (const audio of sentences) parts.push(audio, silence(LIVE_GAP_MS));
    const speech = concat(parts);
    const wav = join(dir, 'speaker.wav');
    writeFileSync(wav, wavFile(speech));
    pages = await webClientPages();
    browser = await launchChromium({ fakeMicrophone: `${wav}%noloop` });
    const page = await (await browser.newContext()).newPage();
    await page.goto(pages.origin);
    await page.waitForFunction('"Mind" in window');
    await page.evaluate(
      async (options) => {
        const session = new window.Mind.ParticipantSession(options);
        await session.join();
        await session.publish('primary', await navigator.mediaDevices.getUserMedia({ audio: true }));
      },
      { baseUrl: platform.url, applicationId: app.id, conferenceId: conference.id, token: speaker.token },
    );
    const deadline = Date.now() + (speech.length / 16000) * 1000 + 15_000;
    while (arrivals.size < sentences.length && Date.now() < deadline) await sleep(200);
    // A sentence the detector split in two has one more utterance to come.
    await sleep(1500);

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const { rows } = await db
      .query('SELECT id, ended_at FROM utterance WHERE conference_id = $1', [conference.id])
      .finally(() => db.end());
    await api(platform.url, 'DELETE', base, app.token);
    const latencies = rows
      .filter((r) => arrivals.has(r.id))
      .map((r) => arrivals.get(r.id).at - Number(r.ended_at));
    return { latencies, text: [...arrivals.values()].map((a) => a.text).join(' ') };
  } finally {
    socket?.close();
    await browser?.close();
    pages?.close();
    await stopPlatform(platform);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (LIVE) {
  const voice = VOICES[0];
  const { latencies: arrivals, text } = await throughPlatform(
    voice,
    SENTENCES.map((sentence) => speak(sentence, voice)),
  );
  console.log(
    `live through the platform (${voice}, ${SENTENCES.length} sentences): ${arrivals.length} utterances, ` +
      `WER ${(100 * asr.wordErrorRate(SENTENCES.join(' '), text)).toFixed(0)} %`,
  );
  if (arrivals.length === 0) {
    console.log('FAIL no utterance reached the application socket');
    process.exitCode = 1;
  } else {
    console.log(
      `end of speech -> application socket (live): p50 ${percentile(arrivals, 50).toFixed(0)} ms, p95 ${percentile(arrivals, 95).toFixed(0)} ms`,
    );
  }
}
