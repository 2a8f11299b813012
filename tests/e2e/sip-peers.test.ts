import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BaresipPhone,
  dominantFrequency,
  readWavFile,
  rms,
  SIP_SCENARIOS,
  SippPeer,
  sleep,
  toneWav,
  waitFor,
  type BaresipOptions,
  type SippOptions,
} from './harness';

/**
 * The SIP test peers themselves, without the gateway: the audio checks on tones of known frequency, sipp
 * loading every scenario and answering a baresip phone's calls (over UDP and TCP, hung up by either side),
 * and two phones calling each other with a tone each way and DTMF.
 */
describe('SIP test peers', () => {
  const work = mkdtempSync(join(tmpdir(), 'mind-sip-peers-'));
  const started: { stop(): Promise<unknown> }[] = [];
  const tones: Record<string, string> = {};

  const sipp = async (options: Omit<SippOptions, 'address' | 'logDir'>) => {
    const peer = await SippPeer.start({ address: '127.0.0.3', logDir: work, ...options });
    started.push(peer);
    return peer;
  };
  const phone = async (options: Omit<BaresipOptions, 'workDir'>) => {
    const peer = await BaresipPhone.start({ workDir: work, ...options });
    started.push(peer);
    return peer;
  };

  beforeAll(async () => {
    tones.a440 = await toneWav(join(work, 'a440.wav'), 440, 30);
    tones.a1000 = await toneWav(join(work, 'a1000.wav'), 1000, 30);
  });

  afterAll(async () => {
    await Promise.all(started.map((peer) => peer.stop()));
    rmSync(work, { recursive: true, force: true });
  });

  it('finds the frequency and level of a tone, at 8, 16 (stereo) and 48 kHz', async () => {
    for (const rate of [8000, 48000])
      for (const hz of [440, 1000]) {
        const file = await toneWav(join(work, `tone-${hz}-${rate}.wav`), hz, 1, rate);
        expect(await dominantFrequency(file)).toBeCloseTo(hz, 0);
        expect(await dominantFrequency(file, { from: 0.25, seconds: 0.5 })).toBeCloseTo(hz, 0);
        // Half of full scale: RMS 0.5 / √2.
        expect(await rms(file)).toBeCloseTo(0.354, 2);
      }
    // Stereo: each channel on its own.
    const stereo = join(work, 'stereo.wav');
    await toneWav(stereo, [700, 1300], 1, 16000);
    expect(await dominantFrequency(stereo)).toBeCloseTo(700, 0);
    expect(await dominantFrequency(stereo, { channel: 1 })).toBeCloseTo(1300, 0);
  });

  it('sipp loads every scenario (pitfall 21: it refuses one with an unused variable)', async () => {
    const scenarios = readdirSync(SIP_SCENARIOS).filter((name) => name.endsWith('.xml'));
    expect(scenarios).toEqual(expect.arrayContaining(['uas_answer.xml', 'uas_answer_then_bye.xml']));
    for (const scenario of scenarios) {
      const peer = await sipp({ scenario });
      expect(peer.uri).toBe(`sip:service@127.0.0.3:${peer.port}`);
      await peer.stop();
    }
  });

  it('sipp answers a phone, which hangs up (UDP, then the built-in uas over TCP)', async () => {
    const alice = await phone({ address: '127.0.0.4', wav: tones.a1000, answer: 'manual', user: 'alice' });

    const uas = await sipp({ scenario: 'uas_answer.xml' });
    await alice.dial(uas.uri);
    await alice.waitForLog(/Call established/);
    await sleep(1000);
    await alice.hangUp();
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    expect(await uas.received()).toEqual(['INVITE', 'ACK', 'BYE']);

    // The built-in uas waits 4 s after the call (pitfall 24): stopped instead once it has the BYE.
    const builtin = await sipp({ scenario: 'uas', transport: 'tcp' });
    expect(builtin.uri).toMatch(/;transport=tcp$/);
    await alice.dial(builtin.uri);
    await alice.waitForLog(/Call established[\s\S]*Call established/);
    await alice.hangUp();
    expect(
      await waitFor(
        () => builtin.received(),
        (got) => got.includes('BYE'),
      ),
    ).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(await builtin.messages()).toMatch(/^TCP message received/m);
    // Both exit on the first SIGTERM (no SIGKILL needed).
    expect((await builtin.stop()).signal).toBeNull();
    expect(await alice.stop()).toEqual({ code: 0, signal: null });
  });

  it('sipp answers a phone and hangs up itself after -d ms', async () => {
    const alice = await phone({ address: '127.0.0.4', wav: tones.a1000, answer: 'manual', user: 'alice' });
    const uas = await sipp({ scenario: 'uas_answer_then_bye.xml', extraArgs: ['-d', '1000'] });
    const dialled = Date.now();
    await alice.dial(uas.uri);
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - dialled).toBeGreaterThanOrEqual(1000);
    expect(await uas.received()).toEqual(['INVITE', 'ACK', '200 BYE']);
    await alice.waitForLog(/terminated/);
    await alice.stop();
  });

  it.each([
    ['PCMU', 'PCMU/8000/1', 8000, 1],
    ['Opus', 'opus/48000/2', 48000, 2],
  ])('two phones call each other over %s, hear each other and get DTMF', async (_, codec, rate, channels) => {
    const bob = await phone({ address: '127.0.0.3', wav: tones.a440, answer: 'auto', user: 'bob' });
    const alice = await phone({
      address: '127.0.0.4',
      wav: tones.a1000,
      answer: 'manual',
      user: 'alice',
      codecs: [codec],
    });
    await alice.dial(bob.uri);
    await Promise.all([alice.waitForLog(/Call established/), bob.waitForLog(/Call established/)]);
    await sleep(2000);
    await alice.press('123');
    await waitFor(
      () => bob.receivedDtmf(),
      (digits) => digits === '123',
      5000,
    );
    await alice.hangUp();
    await Promise.all([alice.waitForLog(/terminated/), bob.waitForLog(/terminated/)]);
    await Promise.all([alice.stop(), bob.stop()]);

    for (const [who, hears] of [
      [alice, 440],
      [bob, 1000],
    ] as const) {
      const { received, sent } = await who.recordings();
      expect(readWavFile(readFileSync(received!))).toMatchObject({ rate, channels });
      const span = { from: 0.5, seconds: 1.5 };
      expect(Math.abs((await dominantFrequency(received!, span)) - hears)).toBeLessThanOrEqual(15);
      expect(await rms(received!, span)).toBeGreaterThan(0.1);
      expect(Math.abs((await dominantFrequency(sent!, span)) - (1440 - hears))).toBeLessThanOrEqual(15);
    }
  });
});
