import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  selfSignedCertificate,
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
  let tlsPort: number;
  const work = mkdtempSync(join(tmpdir(), 'mind-sip-audio-'));
  const phones: BaresipPhone[] = [];
  /** PEM files of certificate and key, as baresip takes them: one the gateway trusts, one it does not. */
  const phoneCertificates: Record<'trusted' | 'untrusted', string> = { trusted: '', untrusted: '' };
  let gateway: { cert: string; key: string };
  beforeAll(async () => {
    sipPort = await freePortOn(GATEWAY_IP);
    tlsPort = await freePortOn(GATEWAY_IP);
    gateway = selfSignedCertificate(work, 'gateway', GATEWAY_IP);
    for (const name of ['trusted', 'untrusted'] as const) {
      const { cert, key } = selfSignedCertificate(work, name, PHONE_IP);
      phoneCertificates[name] = join(work, `${name}-phone.pem`);
      writeFileSync(phoneCertificates[name], readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
    }
  });
  const testbed = useMediaTestbed(() => ({
    MIND_OUTBOUND_ALLOW: PHONE_IP,
    MIND_SIP_LISTEN_IP: GATEWAY_IP,
    MIND_SIP_PORT: String(sipPort),
    MIND_SIP_TLS_PORT: String(tlsPort),
    MIND_SIP_TLS_CA_FILE: join(work, 'trusted.pem'),
    MIND_SIP_TLS_CERT_FILE: gateway.cert,
    MIND_SIP_TLS_KEY_FILE: gateway.key,
  }));
  beforeAll(async () => {
    await testbed.platform.startService('sip');
  });
  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.stop()));
    rmSync(work, { recursive: true, force: true });
  });

  it.each([['PCMU/8000/1'], ['G722/16000/1'], ['opus/48000/2']])(
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

  it('over TLS (sips:): a trusted phone is called and heard; an untrusted one is unavailable', async () => {
    const { id: conferenceId } = await testbed.conference('phone over TLS');
    const api = client(testbed.platform.url, testbed.app.token);
    const base = `/${testbed.app.id}/${conferenceId}`;
    const ann = await testbed.join(conferenceId, 'Ann', false);
    await ann.page.evaluate(() => (globalThis as any).watch('conference', ['audio']));
    const wav = await toneWav(join(work, 'tone440.wav'), 440, 30);
    const start = (certificate: string, user: string) =>
      BaresipPhone.start({ address: PHONE_IP, wav, answer: 'auto', certificate, user, workDir: work });
    const untrusted = await start(phoneCertificates.untrusted, 'stranger');
    phones.push(untrusted);
    const phone = await start(phoneCertificates.trusted, 'phone');
    phones.push(phone);
    const dial = async (to: string) => {
      const line = (await api.post(`${base}/participants`, { name: 'Phone', role: 'speaker' })).body;
      const reply = await api.post(`${base}/participants/${line.id}/dial`, {
        from: 'sip:mind@example.com',
        to,
      });
      return { line, status: reply.body.status };
    };

    expect((await dial(untrusted.tlsUri)).status).toBe('unavailable');
    const { line, status } = await dial(phone.tlsUri);
    expect(status).toBe('answered');
    // Only TLS listens on the port called (baresip's SIP port + 1), and the untrusted phone's
    // certificate was refused: this call went over TLS.
    await phone.waitForLog(/Call established/);
    await waitFor(
      () => conferenceSpectrum(ann.page, [440]),
      ([phoneTone]) => phoneTone > -75,
      20_000,
    );
    expect((await api.post(`${base}/participants/${line.id}/hangup`, {})).status).toBe(200);
    await phone.waitForLog(/terminated/);
  });
});
