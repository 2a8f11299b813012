import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BaresipPhone,
  client,
  conferenceSpectrum,
  dominantFrequency,
  freePortOn,
  publishWithTone,
  rms,
  sleep,
  toneWav,
  useMediaTestbed,
  waitFor,
} from './harness';

const GATEWAY_IP = '127.0.0.2';
const PHONE_IP = '127.0.0.3';

/**
 * A real phone (baresip) dialled into a conference: its voice is the participant's audio (mixed for a
 * Chromium participant, `media.audio` while its RTP flows) and it hears the conference without itself.
 * Tones tell the voices apart: the phone plays 440 Hz, the browser 1000 Hz.
 */
describe('SIP gateway: audio both ways with a real phone', () => {
  let sipPort: number;
  const work = mkdtempSync(join(tmpdir(), 'mind-sip-audio-'));
  const phones: BaresipPhone[] = [];
  beforeAll(async () => {
    sipPort = await freePortOn(GATEWAY_IP);
  });
  const testbed = useMediaTestbed(() => ({
    MIND_OUTBOUND_ALLOW: PHONE_IP,
    MIND_SIP_LISTEN_IP: GATEWAY_IP,
    MIND_SIP_PORT: String(sipPort),
  }));
  beforeAll(async () => {
    await testbed.platform.startService('sip');
  });
  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.stop()));
    rmSync(work, { recursive: true, force: true });
  });

  it.each([['PCMU/8000/1'], ['opus/48000/2']])(
    'over %s: the browser hears the phone, the phone hears the browser, not itself',
    async (codec) => {
      const { id: conferenceId } = await testbed.conference(`phone ${codec}`);
      const api = client(testbed.platform.url, testbed.app.token);
      const base = `/${testbed.app.id}/${conferenceId}`;
      const ann = await testbed.join(conferenceId, 'Ann', false);
      await publishWithTone(ann.page, 1000);
      await ann.page.evaluate(() => (globalThis as any).watch('conference', ['audio']));

      const wav = await toneWav(join(work, 'tone440.wav'), 440, 30);
      const phone = await BaresipPhone.start({
        address: PHONE_IP,
        wav,
        answer: 'auto',
        codecs: [codec],
        workDir: work,
      });
      phones.push(phone);
      const line = (await api.post(`${base}/participants`, { name: 'Phone', role: 'speaker' })).body;
      const dial = await api.post(`${base}/participants/${line.id}/dial`, {
        from: 'Mind <sip:mind@example.com>',
        to: phone.uri,
      });
      expect(dial).toMatchObject({ status: 200, body: { status: 'answered' } });
      await waitFor(
        async () => (await api.get(`${base}/participants/${line.id}`)).body,
        (p) => p.online === true && p.media?.audio === true,
        10_000,
      );
      // Ann hears the phone's 440 Hz in the conference's audio.
      await waitFor(
        () => conferenceSpectrum(ann.page, [440]),
        ([phoneTone]) => phoneTone > -75,
        20_000,
      );
      await sleep(3000);
      expect((await api.post(`${base}/participants/${line.id}/hangup`, {})).status).toBe(200);
      await phone.waitForLog(/terminated/);
      await waitFor(
        async () => (await api.get(`${base}/participants/${line.id}`)).body,
        (p) => p.online === false && p.media?.audio === false,
        10_000,
      );
      await phone.stop();

      // What the phone received: Ann's tone, loud, and not its own.
      const { received } = await phone.recordings();
      const span = { from: 1, seconds: 2 };
      expect(Math.abs((await dominantFrequency(received!, span)) - 1000)).toBeLessThanOrEqual(20);
      expect(await rms(received!, span)).toBeGreaterThan(0.02);
    },
  );
});
