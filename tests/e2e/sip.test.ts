import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppSocket,
  client,
  freePortOn,
  Platform,
  sleep,
  SippPeer,
  waitFor,
  type SippOptions,
  BaresipPhone,
  toneWav,
} from './harness';

/** The gateway on a loopback address of its own; the phones (sipp) on others, allowed by the operator. */
const GATEWAY_IP = '127.0.0.2';
const PHONE_IP = '127.0.0.3';

/**
 * Routes 20-22 against real SIP peers (sipp as the phone): each final response gives the right
 * `status`, the participant is online exactly while its call is up, hang-up sends BYE or CANCEL, a
 * transfer goes by REFER, and targets and fields are checked before anything is sent.
 */
describe('SIP gateway: dial-out, hang-up and forward with sipp as the phone', () => {
  let platform: Platform;
  let sipPort: number;
  let application: { id: string; token: string };
  const work = mkdtempSync(join(tmpdir(), 'mind-sip-'));
  const peers: { stop(): Promise<unknown> }[] = [];
  const app = () => client(platform.url, application.token);
  const base = () => `/${application.id}`;

  const phone = async (options: Omit<SippOptions, 'address' | 'logDir'>) => {
    const peer = await SippPeer.start({ address: PHONE_IP, logDir: work, ...options });
    peers.push(peer);
    return peer;
  };

  const newParticipant = async () => {
    const conference = await app().post(`${base()}`, { name: 'sip' });
    expect(conference.status).toBe(200);
    const participant = await app().post(`${base()}/${conference.body.id}/participants`, {
      name: 'Phone',
      role: 'speaker',
    });
    expect(participant.status).toBe(200);
    return { conferenceId: conference.body.id as string, participantId: participant.body.id as string };
  };

  const routes = (conferenceId: string, participantId: string) => {
    const path = `${base()}/${conferenceId}/participants/${participantId}`;
    return {
      dial: (to: string, extra: Record<string, unknown> = {}) =>
        app().post(`${path}/dial`, { from: 'Mind <sip:mind@example.com>', to, ...extra }),
      hangup: () => app().post(`${path}/hangup`, {}),
      forward: (destination: string) => app().post(`${path}/forward`, { destination }),
      participant: async () => (await app().get(path)).body,
    };
  };

  beforeAll(async () => {
    sipPort = await freePortOn(GATEWAY_IP);
    platform = await Platform.start(
      {
        MIND_OUTBOUND_ALLOW: `${PHONE_IP},127.0.0.4`,
        MIND_SIP_LISTEN_IP: GATEWAY_IP,
        MIND_SIP_PORT: String(sipPort),
        MIND_SIP_USERNAME: 'gw',
        MIND_SIP_PASSWORD: 'secret',
      },
      { media: true },
    );
    await platform.startService('sip');
    application = await platform.createApplication({ maxParticipants: 10 });
  });

  afterAll(async () => {
    await Promise.all(peers.map((peer) => peer.stop()));
    await platform?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('answered over UDP: online while the call is up, offline after the phone hangs up', async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const uas = await phone({ scenario: 'uas_answer_then_bye.xml', extraArgs: ['-d', '2000'] });

    const dialled = await call.dial(uas.uri);
    expect(dialled).toMatchObject({ status: 200, body: { status: 'answered' } });
    expect(await call.participant()).toMatchObject({ online: true });
    // The phone sends BYE after 2 s.
    await waitFor(call.participant, (p) => p.online === false, 10_000);
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    expect(await uas.received()).toEqual(['INVITE', 'ACK', '200 BYE']);
    // No call any more: hang-up does nothing, forward has nothing to forward.
    expect((await call.hangup()).status).toBe(200);
    expect((await call.forward(`sip:someone@${PHONE_IP}`)).status).toBe(409);
  });

  it('answered over TCP: the application hangs up with BYE (route 22)', async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const uas = await phone({ scenario: 'uas_answer.xml', transport: 'tcp' });

    expect((await call.dial(uas.uri)).body).toEqual({ status: 'answered' });
    expect(await call.participant()).toMatchObject({ online: true });
    // A second dial while the line is up is refused.
    expect((await call.dial(uas.uri)).status).toBe(409);
    expect((await call.hangup()).status).toBe(200);
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    expect(await uas.received()).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(await uas.messages()).toMatch(/^TCP message received/m);
    await waitFor(call.participant, (p) => p.online === false, 5000);
  });

  it.each([
    ['uas_486_busy.xml', 'busy'],
    ['uas_600_busy_everywhere.xml', 'busy'],
    ['uas_603_decline.xml', 'declined'],
    ['uas_480_unavailable.xml', 'unavailable'],
    ['uas_408_timeout.xml', 'timeout'],
  ])('%s gives %s and leaves the participant offline', async (scenario, status) => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const uas = await phone({ scenario });
    expect((await call.dial(uas.uri)).body).toEqual({ status });
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    // The final response was acknowledged.
    expect(await uas.received()).toEqual(['INVITE', 'ACK']);
    expect(await call.participant()).toMatchObject({ online: false });
  });

  it("answers a digest challenge (401) with the application's SIP account, else the gateway's default", async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    // The scenario checks the digest itself (user gw, password secret) and answers 403 otherwise.
    // The gateway's default account (MIND_SIP_USERNAME) is the right one:
    const uas = await phone({ scenario: 'uas_401_auth.xml' });
    expect((await call.dial(uas.uri)).body).toEqual({ status: 'answered' });
    expect((await call.hangup()).status).toBe(200);
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    expect(await uas.received()).toEqual(['INVITE', 'ACK', 'INVITE', 'ACK', 'BYE']);

    // The application's own account, set by the operator, takes its place: a wrong one is refused.
    const passwordFile = join(work, 'sip-password');
    writeFileSync(passwordFile, 'not-the-secret\n');
    const set = (...args: string[]) =>
      platform.operator('set-application-sip', '--id', application.id, ...args);
    expect(await set('--username', 'gw', '--password-file', passwordFile)).toEqual({
      id: application.id,
      sipUsername: 'gw',
    });
    const refusing = await phone({ scenario: 'uas_401_auth.xml' });
    expect((await call.dial(refusing.uri)).body).toEqual({ status: 'error' });
    await refusing.stop();
    // The password only ever comes from a file, and a cleared account falls back to the default.
    await expect(set('--username', 'gw')).rejects.toThrow(/--password-file/);
    await set('--clear');
    const again = await phone({ scenario: 'uas_401_auth.xml' });
    expect((await call.dial(again.uri)).body).toEqual({ status: 'answered' });
    expect((await call.hangup()).status).toBe(200);
  });

  it('gives timeout when nobody answers in time, and cancels the call', async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const uas = await phone({ scenario: 'uas_ring_forever.xml' });
    const started = Date.now();
    expect((await call.dial(uas.uri, { timeout: '5' })).body).toEqual({ status: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    expect(await uas.received()).toEqual(['INVITE', 'CANCEL', 'ACK']);
  });

  it('hangs up while ringing with CANCEL: the dial answers interrupted', async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const uas = await phone({ scenario: 'uas_ring_forever.xml' });
    const dialling = call.dial(uas.uri);
    await sleep(1500);
    expect((await call.hangup()).status).toBe(200);
    expect((await dialling).body).toEqual({ status: 'interrupted' });
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    expect(await uas.received()).toEqual(['INVITE', 'CANCEL', 'ACK']);
    expect(await call.participant()).toMatchObject({ online: false });
  });

  it('forwards an answered call by REFER, then leaves it (route 21)', async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const uas = await phone({ scenario: 'uas_refer.xml' });
    expect((await call.dial(uas.uri)).body).toEqual({ status: 'answered' });
    expect((await call.forward(`Desk <sip:desk@${PHONE_IP}:5099>`)).status).toBe(200);
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    const received = await uas.received();
    expect(received.slice(0, 3)).toEqual(['INVITE', 'ACK', 'REFER']);
    expect(received).toContain('BYE');
    const messages = await uas.messages();
    expect(messages).toMatch(/^Refer-To:\s*<sip:desk@127\.0\.0\.3:5099>/im);
    expect(messages).toMatch(/^Referred-By:\s*<sip:mind@example\.com>/im);
    await waitFor(call.participant, (p) => p.online === false, 5000);
  });

  it("notifies the application of the phone's keys (RFC 4733), in order; the phone's RTP sets media.audio", async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const socket = await AppSocket.open(platform.url, application.id, conferenceId, application.token);
    // The scenario replays Debian's DTMF captures 1, 5 and # (sipp needs root for that).
    const uas = await phone({ scenario: 'uas_dtmf.xml' });
    expect((await call.dial(uas.uri)).body).toEqual({ status: 'answered' });
    const keys = socket.next((n) => n.location === `/participants/${participantId}/dtmf`, 10_000, 3);
    await keys;
    const pressed = socket.received.filter((n) => n.location === `/participants/${participantId}/dtmf`);
    expect(pressed.map((n) => n.type)).toEqual(['created', 'created', 'created']);
    expect(pressed.map((n) => (n.resource as any).digit)).toEqual(['1', '5', '#']);
    expect(pressed[0].resource).toEqual({ participantId, digit: '1', timestamp: expect.any(Number) });
    // The keys came as RTP: the line's audio flowed.
    expect(
      socket.received.some(
        (n) => n.location === `/participants/${participantId}` && (n.resource as any)?.media?.audio === true,
      ),
    ).toBe(true);
    expect((await call.hangup()).status).toBe(200);
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    socket.close();
  });

  it('forwards a real phone to a second peer: the phone calls it, and our leg ends', async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const wav = await toneWav(join(work, 'tone.wav'), 440, 30);
    const phone = await BaresipPhone.start({ address: PHONE_IP, wav, answer: 'auto', workDir: work });
    peers.push(phone);
    const desk = await SippPeer.start({ address: '127.0.0.4', logDir: work, scenario: 'uas_answer.xml' });
    peers.push(desk);
    expect((await call.dial(phone.uri)).body).toEqual({ status: 'answered' });
    expect((await call.forward(`Desk <${desk.uri}>`)).status).toBe(200);
    // The phone called the desk itself (REFER), and the transferred call is no longer ours.
    await waitFor(
      () => desk.received(),
      (got) => got.includes('ACK'),
      10_000,
    );
    expect((await desk.received()).slice(0, 2)).toEqual(['INVITE', 'ACK']);
    expect(await desk.messages()).toMatch(/^From:.*phone@127\.0\.0\.3/im);
    await waitFor(call.participant, (p) => p.online === false, 5000);
    await phone.hangUp();
    expect(await desk.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses targets outside the outbound rules and malformed addresses before calling', async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    for (const [to, extra] of [
      ['sip:someone@127.0.0.1', {}],
      ['sip:someone@10.1.2.3', {}],
      ['sip:someone@127.0.0.9:5060', {}],
      [`sip:someone@${PHONE_IP}`, { proxy: 'sip:192.168.1.1' }],
    ] as const) {
      const reply = await call.dial(to, extra);
      expect({ to, status: reply.status }).toEqual({ to, status: 400 });
    }
    expect((await call.dial('sip:a@example.com\r\nX-Injected: 1')).status).toBe(400);
    expect((await call.dial('sip:a@example.com?Subject=hi')).status).toBe(400);
    expect((await call.dial('sip:a@example.com', { timeout: 3 })).status).toBe(400);
    expect((await call.forward('sip:b@example.com\r\nX: y')).status).toBe(400);
    expect((await call.forward('sip:b@10.0.0.1')).status).toBe(400);
    const missing = routes(conferenceId, '00000000-0000-4000-8000-000000000000');
    expect((await missing.dial(`sip:someone@${PHONE_IP}`)).status).toBe(404);
  });

  it('a peer sending garbage and stray requests harms no call', async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const uas = await phone({ scenario: 'uas_answer.xml' });
    expect((await call.dial(uas.uri)).body).toEqual({ status: 'answered' });

    const attacker = createSocket('udp4');
    await new Promise<void>((resolve) => attacker.bind(0, '127.0.0.4', resolve));
    const attackerPort = attacker.address().port;
    const stray = (method: string, extra = '') =>
      [
        `${method} sip:mind@${GATEWAY_IP}:${sipPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.4:${attackerPort};branch=z9hG4bK${Math.random()}`,
        'From: <sip:evil@127.0.0.4>;tag=1',
        'To: <sip:mind@127.0.0.2>',
        `Call-ID: ${Math.random()}@evil`,
        `CSeq: 1 ${method}`,
        extra,
        'Content-Length: 0',
        '',
        '',
      ]
        .filter((line, i, all) => line !== '' || i >= all.length - 2)
        .join('\r\n');
    const garbage = [
      Buffer.from('\x00\x01\x02 not sip at all'),
      Buffer.from('INVITE sip:x SIP/2.0\r\nVia: nonsense\r\nCSeq: abc\r\n\r\n'),
      Buffer.from('SIP/2.0 200 OK\r\nCall-ID: none\r\n\r\n'),
      Buffer.from(stray('INVITE', 'Content-Length: -5')),
      Buffer.from(stray('BYE')),
      Buffer.from(stray('INVITE')),
      Buffer.alloc(60_000, 'A'),
    ];
    for (let round = 0; round < 50; round++)
      for (const datagram of garbage) attacker.send(datagram, sipPort, GATEWAY_IP);
    await sleep(1000);
    attacker.close();

    // Over TCP, a message whose Content-Length is not a number is refused by closing the connection
    // (unpatched, the stack would buffer whatever followed without limit).
    const tcp = connect(sipPort, GATEWAY_IP);
    await once(tcp, 'connect');
    tcp.on('error', () => undefined);
    tcp.write(stray('OPTIONS', 'Content-Length: abc').replace('Content-Length: 0\r\n', ''));
    // Closed by the gateway (a reset, as it destroys the connection).
    const closed = new Promise((resolve) => tcp.on('close', resolve));
    for (let i = 0; i < 20 && !tcp.destroyed; i++) tcp.write(Buffer.alloc(8192, 'B'));
    await closed;

    // The call is still up and hangs up normally; a new call works.
    expect(await call.participant()).toMatchObject({ online: true });
    expect((await call.hangup()).status).toBe(200);
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    expect(await uas.received()).toEqual(['INVITE', 'ACK', 'BYE']);
    const next = await phone({ scenario: 'uas_486_busy.xml' });
    expect((await call.dial(next.uri)).body).toEqual({ status: 'busy' });
    expect(platform.isRunning('sip')).toBe(true);
  });
  it('a call survives a restart of the conference service, and is hung up after it', async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const uas = await phone({ scenario: 'uas_answer.xml' });
    expect((await call.dial(uas.uri)).body).toEqual({ status: 'answered' });
    await platform.stopService('conference');
    await platform.startService('conference');
    expect(await call.participant()).toMatchObject({ online: true });
    expect((await call.hangup()).status).toBe(200);
    expect(await uas.exited).toEqual({ code: 0, signal: null });
    expect(await uas.received()).toEqual(['INVITE', 'ACK', 'BYE']);
  });

  it('a crashed gateway takes its phone lines offline; a restarted one places calls again', async () => {
    const { conferenceId, participantId } = await newParticipant();
    const call = routes(conferenceId, participantId);
    const uas = await phone({ scenario: 'uas_answer.xml' });
    expect((await call.dial(uas.uri)).body).toEqual({ status: 'answered' });
    await platform.stopService('sip', 'SIGKILL');
    // Its heartbeats stop: within the 3 s timeout (and the sweep) the line is offline.
    await waitFor(call.participant, (p) => p.online === false, 10_000);
    // No gateway holds the call any more: hang-up does nothing, and dialling says so.
    expect((await call.hangup()).status).toBe(200);
    expect((await call.dial(uas.uri)).status).toBe(503);
    await uas.stop();

    await platform.startService('sip');
    const next = await phone({ scenario: 'uas_answer.xml' });
    expect((await call.dial(next.uri)).body).toEqual({ status: 'answered' });
    expect((await call.hangup()).status).toBe(200);
    expect(await next.exited).toEqual({ code: 0, signal: null });
  });
});
