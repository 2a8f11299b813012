import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { SAMPLE_RATE, VoiceActivity, wordErrorRate } from '@mind/asr';
import { concat, silence, speak, wavFile } from '@mind/asr/testing';
import {
  AppSocket,
  BrowserHarness,
  client,
  joinInPage,
  joinParticipant,
  Platform,
  sleep,
  waitFor,
  type Joined,
} from './harness';

/** Two speakers' lines (our own sentences), said in turns. */
const LINES = {
  ann: ['please send me the recording of the meeting tomorrow', 'we should move the release to next week'],
  bob: ['the new office opens in the spring', 'i will call the customer after lunch'],
};

interface Utterance {
  id: string;
  timestamp: number;
  participantId: string;
  text: string;
}

/**
 * A speaker's fake microphone: its lines with pauses between, starting after `leadMs` of silence (so
 * two speakers take turns), then silence; Chromium plays it from when the page opens the microphone,
 * once or (`loop`) again and again.
 */
function speakerFile(
  dir: string,
  name: string,
  voice: string,
  lines: string[],
  { leadMs = 1500, gapMs = 6000, loop = false, rate }: SpeakerOptions,
) {
  const parts: Int16Array[] = [silence(leadMs)];
  for (const line of lines) parts.push(speak(line, voice, rate), silence(gapMs));
  parts.push(silence(2000));
  const file = join(dir, `${name}.wav`);
  writeFileSync(file, wavFile(concat(parts)));
  return loop ? file : `${file}%noloop`;
}

interface SpeakerOptions {
  leadMs?: number;
  gapMs?: number;
  loop?: boolean;
  /** 8000: the voice comes through an 8 kHz (telephone) line. */
  rate?: number;
}

describe('live transcription: what participants say, to the application socket', () => {
  let platform: Platform;
  let work: string;
  const browsers: BrowserHarness[] = [];
  let app: { id: string; token: string };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mind-transcription-test-'));
    // At info, the media node says when each voice reached its transcriber.
    platform = await Platform.start({ LOG_LEVEL: 'info' }, { media: true });
    await platform.startService('transcription');
    await platform.startService('recording');
    app = await platform.createApplication({ maxParticipants: 10 });
  }, 120_000);
  // Each test's browsers go with it: three Chromiums at once are what this 2-core machine takes.
  afterEach(async () => {
    for (const browser of browsers.splice(0)) await browser.close();
  });
  afterAll(async () => {
    await platform?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** A Chromium whose fake microphone says `lines` (one browser per voice: the flag is per browser). */
  const speaker = async (name: string, voice: string, lines: string[], options: SpeakerOptions = {}) => {
    const browser = await BrowserHarness.start({
      fakeMicrophone: speakerFile(work, name, voice, lines, options),
    });
    browsers.push(browser);
    return browser;
  };

  const utterancesOn = (socket: AppSocket): Utterance[] =>
    socket.received
      .filter((n) => n.type === 'created' && String(n.location).startsWith('/transcription/utterances/'))
      .map((n) => n.resource as Utterance);

  it('two speakers taking turns: each utterance reaches the application, attributed, in order, and readable again', async () => {
    const api = client(platform.url, app.token);
    const conferenceId = (await api.post(`/${app.id}`, { name: 'captions' })).body.id;
    const base = `/${app.id}/${conferenceId}`;
    const socket = await AppSocket.open(platform.url, app.id, conferenceId, app.token);
    expect((await api.patch(`${base}/transcription`, { started: true })).status).toBe(200);

    // Ann speaks, then Bob while Ann is silent, and so on; both start once their connection is up
    // (a fake microphone plays from when the page opens it, before the media flows).
    const annBrowser = await speaker('ann', 'slt', LINES.ann, { leadMs: 3000 });
    const bobBrowser = await speaker('bob', 'rms', LINES.bob, { leadMs: 7000 });
    const opened = Date.now();
    const [ann, bob] = await Promise.all([
      joinParticipant(annBrowser, platform, app, conferenceId, 'Ann', true),
      joinParticipant(bobBrowser, platform, app, conferenceId, 'Bob', true),
    ]);
    const by = (who: Joined) => (utterances: Utterance[]) =>
      utterances.filter((u) => u.participantId === who.id).map((u) => u.text);
    // When each voice reached a transcriber, from when the pages opened their microphones: words said
    // before are not heard (Ann's first line begins at 3 s, Bob's at 7 s).
    const reached = () =>
      platform
        .logEntries('media')
        .filter((line) => line.msg === 'voice sent to its transcriber')
        .map(
          (line) =>
            `${line.participantId === ann.id ? 'Ann' : 'Bob'} at ${Date.parse(String(line.time)) - opened} ms ` +
            `(placed in ${String(line.placedInMs)} ms)`,
        );

    const said = await waitFor(
      async () => utterancesOn(socket),
      (utterances) => by(ann)(utterances).length >= 2 && by(bob)(utterances).length >= 2,
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nvoices reached their transcribers: ${reached().join(', ')}`);
    });
    console.info(`voices reached their transcribers: ${reached().join(', ')}`);
    // Let a last utterance split in two arrive.
    await sleep(3000);
    const all = utterancesOn(socket);
    expect(all.every((u) => u.participantId === ann.id || u.participantId === bob.id)).toBe(true);
    const annWer = wordErrorRate(LINES.ann.join(' '), by(ann)(all).join(' '));
    const bobWer = wordErrorRate(LINES.bob.join(' '), by(bob)(all).join(' '));
    console.info(
      `live transcription word error rate: Ann ${annWer.toFixed(2)}, Bob ${bobWer.toFixed(2)}\n` +
        JSON.stringify(all.map((u) => [u.participantId === ann.id ? 'Ann' : 'Bob', u.timestamp, u.text])),
    );
    // Each speaker's words are theirs (swapped or lost utterances come out near 1), and together they
    // are recognised as the engine does (PocketSphinx: 15-30 % on synthetic voices). One speaker's 17
    // words swing between 0.18 and 0.47 from run to run (the first utterance of a stream especially);
    // both speakers' 30 words are steadier.
    expect(annWer).toBeLessThanOrEqual(0.5);
    expect(bobWer).toBeLessThanOrEqual(0.5);
    const words = (lines: string[]) => lines.join(' ').split(/\s+/).length;
    const together =
      (annWer * words(LINES.ann) + bobWer * words(LINES.bob)) / (words(LINES.ann) + words(LINES.bob));
    expect(together).toBeLessThanOrEqual(0.35);
    // In the order they were said, and the turns interleave.
    const times = all.map((u) => u.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(said.length).toBeGreaterThanOrEqual(4);

    // An application that reconnects reads them again, paged by time.
    const listed = (await api.get(`${base}/transcription/utterances`)).body as Utterance[];
    expect(listed).toEqual(all);
    const [first, ...rest] = listed;
    const after = (await api.get(`${base}/transcription/utterances?since=${first.timestamp}&limit=1`)).body;
    expect(after).toEqual(rest.slice(0, 1));
    expect((await api.get(`${base}/transcription/utterances?limit=0`)).status).toBe(400);
    expect((await api.get(`${base}/transcription/utterances?since=soon`)).status).toBe(400);
    // Participants do not get them on their data channel (the SDK has no handler for them).
    const seenByAnn = await ann.page.evaluate(
      () => (globalThis as any).notifications as { location: string }[],
    );
    expect(seenByAnn.some((n) => n.location.startsWith('/transcription/utterances/'))).toBe(false);
    // The worker counts what it recognised, for Prometheus.
    const metrics = await (await fetch(`${platform.healthUrl('transcription')}/metrics`)).text();
    expect(metrics).toMatch(/^mind_transcription_utterances_total(?:\{[^}]*\})? [1-9]/m);
    socket.close();
  }, 150_000);

  it('only voices that enter the mix, only while started: an attendee is not transcribed, a latecomer is, a stop stops it', async () => {
    const api = client(platform.url, app.token);
    const conferenceId = (await api.post(`/${app.id}`, { name: 'roles' })).body.id;
    const base = `/${app.id}/${conferenceId}`;
    const socket = await AppSocket.open(platform.url, app.id, conferenceId, app.token);
    expect((await api.patch(`${base}/transcription`, { started: true })).status).toBe(200);
    const loop = { loop: true, gapMs: 1500 };
    const speakers = {
      ann: await speaker('ann-loop', 'slt', LINES.ann, loop),
      carl: await speaker('carl-loop', 'awb', LINES.bob, loop),
    };
    const ann = await joinParticipant(speakers.ann, platform, app, conferenceId, 'Ann', true);
    // Carl is an attendee: he may send, but his voice enters no mix.
    const carl = (await api.post(`${base}/participants`, { name: 'Carl', role: 'attendee' })).body;
    const carlPage = await speakers.carl.page();
    await carlPage.evaluate(joinInPage, {
      baseUrl: platform.url,
      applicationId: app.id,
      conferenceId,
      token: carl.token,
      publish: true,
      setup: {},
    });
    const from = (id: string) => () => utterancesOn(socket).filter((u) => u.participantId === id);
    await waitFor(
      async () => from(ann.id)(),
      (said) => said.length >= 2,
      40_000,
    );
    expect(from(carl.id)()).toEqual([]);

    // Dave joins later and is transcribed from then on.
    const dave = await joinParticipant(
      await speaker('dave-loop', 'rms', LINES.bob, loop),
      platform,
      app,
      conferenceId,
      'Dave',
      true,
    );
    const daveSaid = await waitFor(
      async () => from(dave.id)(),
      (said) => said.length >= 1,
      40_000,
    );
    expect(wordErrorRate(LINES.bob.join(' '), daveSaid.map((u) => u.text).join(' '))).toBeLessThan(0.9);
    expect(from(carl.id)()).toEqual([]);

    // Greta speaks German, which no transcriber has a model for: the state says so, nothing is guessed.
    const greta = (await api.post(`${base}/participants`, { name: 'Greta', language: 'de' })).body;
    await (
      await speakers.carl.page()
    ).evaluate(joinInPage, {
      baseUrl: platform.url,
      applicationId: app.id,
      conferenceId,
      token: greta.token,
      publish: false,
      setup: {},
    });
    const state = await waitFor(
      () => api.get(`${base}/transcription`),
      (answer) => answer.body.notTranscribed?.length > 0,
      10_000,
    );
    expect(state.body).toEqual({
      started: true,
      notTranscribed: [{ participantId: greta.id, reason: expect.stringContaining('"de"') }],
    });

    // Stopped: what was said before may still arrive, nothing said after.
    const stoppedAt = Date.now();
    expect((await api.patch(`${base}/transcription`, { started: false })).status).toBe(200);
    await sleep(1500);
    const atStop = utterancesOn(socket).length;
    await sleep(6000);
    expect(utterancesOn(socket).length).toBe(atStop);
    expect(utterancesOn(socket).every((u) => u.timestamp < stoppedAt)).toBe(true);
    socket.close();
  }, 150_000);

  it('a recording with a pause: its transcript is partial (206) while recording, whole (200) once made (across a crash of the conference service), on the MP4 timeline without the pause', async () => {
    const api = client(platform.url, app.token);
    const conferenceId = (await api.post(`/${app.id}`, { name: 'recorded speech' })).body.id;
    const base = `/${app.id}/${conferenceId}`;
    const socket = await AppSocket.open(platform.url, app.id, conferenceId, app.token);
    expect((await api.get(`${base}/recording/transcription`)).status).toBe(404);
    // Live transcription too, so that what is said during the pause is transcribed, but not recorded.
    expect((await api.patch(`${base}/transcription`, { started: true })).status).toBe(200);
    const ann = await joinParticipant(
      await speaker('ann-recorded', 'slt', LINES.ann, { loop: true, gapMs: 1500 }),
      platform,
      app,
      conferenceId,
      'Ann',
      true,
    );
    expect((await api.post(`${base}/recording/start`, {})).status).toBe(200);
    await sleep(9000);
    const during = await api.get(`${base}/recording/transcription`);
    expect(during.status).toBe(206);
    expect(during.body.length).toBeGreaterThanOrEqual(1);
    expect((await api.post(`${base}/recording/stop`, {})).status).toBe(200);
    const pausedAt = Date.now();
    await sleep(7000);
    const resumedAt = Date.now();
    expect((await api.post(`${base}/recording/start`, {})).status).toBe(200);
    await sleep(9000);
    expect((await api.post(`${base}/recording/stop`, {})).status).toBe(200);
    // The conference service dies while the recording and its transcript are being made: the
    // reports are retried and the transcript job waits in Redis for the next instance.
    await platform.stopService('conference', 'SIGKILL');
    await platform.startService('conference');

    const whole = await waitFor(
      () => api.get(`${base}/recording/transcription`),
      (answer) => answer.status === 200,
      90_000,
    );
    const items = whole.body as { timestamp: number; participantId: string; text: string }[];
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.every((item) => item.participantId === ann.id)).toBe(true);
    const timestamps = items.map((item) => item.timestamp);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));

    // Where speech is in the recording's audio: each utterance begins within a second of some.
    const mp4 = join(work, 'recorded-speech.mp4');
    writeFileSync(
      mp4,
      Buffer.from(
        await (
          await fetch(`${platform.url}${base}/recording`, {
            headers: { Authorization: `Bearer ${app.token}` },
          })
        ).arrayBuffer(),
      ),
    );
    const pcm = execFileSync(
      'ffmpeg',
      [
        ...['-v', 'error', '-i', mp4, '-ac', '1', '-ar', String(SAMPLE_RATE)],
        // On the MP4's timeline: its audio and video need not start together, and each segment's audio
        // ends a little before its video does; silence where there is none, so a sample's place is its time.
        ...['-af', 'aresample=async=1:first_pts=0', '-f', 's16le', '-'],
      ],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 64 * 2 ** 20,
      },
    );
    const activity = new VoiceActivity();
    const spans = [
      ...activity.accept(new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2)),
      ...activity.flush(),
    ].map((span) => (span.speechStart * 1000) / SAMPLE_RATE);
    const durationMs = (pcm.length / 2 / SAMPLE_RATE) * 1000;
    console.info(
      `recording transcript: ${JSON.stringify(timestamps)}; speech in the MP4 (${Math.round(durationMs)} ms) at ${JSON.stringify(spans.map(Math.round))}`,
    );
    const misplaced = timestamps.filter(
      (at) => Math.min(...spans.map((start) => Math.abs(start - at))) > 1000,
    );
    expect(misplaced).toEqual([]);
    expect(Math.max(...timestamps)).toBeLessThan(durationMs);
    // Ann went on speaking during the pause (live transcription heard her); the recording did not.
    const live = utterancesOn(socket).filter((u) => u.participantId === ann.id);
    const inPause = live.filter((u) => u.timestamp > pausedAt + 1000 && u.timestamp < resumedAt - 500);
    expect(inPause.length).toBeGreaterThanOrEqual(1);
    const beforeEnd = live.filter((u) => u.timestamp < Date.now());
    expect(items.length).toBeLessThanOrEqual(beforeEnd.length - inPause.length);
    socket.close();
  }, 200_000);

  it('a voice through a telephone line (8 kHz) is transcribed', async () => {
    const api = client(platform.url, app.token);
    const conferenceId = (await api.post(`/${app.id}`, { name: 'phone' })).body.id;
    const socket = await AppSocket.open(platform.url, app.id, conferenceId, app.token);
    expect((await api.patch(`/${app.id}/${conferenceId}/transcription`, { started: true })).status).toBe(200);
    const caller = await joinParticipant(
      await speaker('phone', 'awb', LINES.bob, { leadMs: 3000, rate: 8000 }),
      platform,
      app,
      conferenceId,
      'Phone',
      true,
    );
    const said = await waitFor(
      async () => utterancesOn(socket).filter((u) => u.participantId === caller.id),
      (utterances) => utterances.length >= 2,
      40_000,
    );
    await sleep(2000);
    const text = utterancesOn(socket)
      .filter((u) => u.participantId === caller.id)
      .map((u) => u.text)
      .join(' ');
    const wer = wordErrorRate(LINES.bob.join(' '), text);
    console.info(`narrowband (8 kHz) voice: word error rate ${wer.toFixed(2)} ("${text}")`);
    expect(said.length).toBeGreaterThanOrEqual(2);
    expect(wer).toBeLessThanOrEqual(0.5);
    socket.close();
  }, 120_000);

  it('a transcriber that dies mid-conference: another takes its voices within 5 s', async () => {
    const api = client(platform.url, app.token);
    const conferenceId = (await api.post(`/${app.id}`, { name: 'failover' })).body.id;
    const socket = await AppSocket.open(platform.url, app.id, conferenceId, app.token);
    expect((await api.patch(`/${app.id}/${conferenceId}/transcription`, { started: true })).status).toBe(200);
    const ann = await joinParticipant(
      await speaker('ann-failover', 'slt', LINES.ann, { loop: true, gapMs: 1500 }),
      platform,
      app,
      conferenceId,
      'Ann',
      true,
    );
    await waitFor(
      async () => utterancesOn(socket),
      (said) => said.length >= 1,
      40_000,
    );

    const second = await platform.startExtraInstance('transcription', 'second', {
      MIND_TRANSCRIBER_ID: `${platform.env.MIND_TRANSCRIBER_ID}-second`,
    });
    const streamsOn = async (url: string) =>
      Number(
        /^mind_transcription_streams(?:\{[^}]*\})? (\d+)/m.exec(
          await (await fetch(`${url}/metrics`)).text(),
        )?.[1],
      );
    expect(await streamsOn(second)).toBe(0);
    await platform.stopService('transcription', 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      () => streamsOn(second),
      (streams) => streams === 1,
      10_000,
    );
    const takeover = Date.now() - killedAt;
    console.info(
      `transcription failover: the voice was placed on another transcriber ${takeover} ms after the kill`,
    );
    expect(takeover).toBeLessThanOrEqual(5000);
    // What Ann says from then on is transcribed by the second transcriber.
    await waitFor(
      async () =>
        utterancesOn(socket).filter((u) => u.participantId === ann.id && u.timestamp > killedAt + takeover),
      (said) => said.length >= 1,
      30_000,
    );
    socket.close();
    await platform.stopService('transcription#second');
    await platform.startService('transcription');
  }, 150_000);
});
