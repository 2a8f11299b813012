import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { client, RtmpSink, useMediaTestbed } from './harness';

const run = promisify(execFile);

/** Codecs of an FLV the sink recorded, and how many video frames decode. */
async function probeRecording(file: string) {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'json', file],
  ]);
  const { stdout: frames } = await run('ffprobe', [
    ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file],
  ]);
  return {
    codecs: JSON.parse(stdout).streams.map((s: { codec_name: string }) => s.codec_name),
    videoFrames: Number(frames.trim()),
  };
}

describe('streaming: the mixed conference pushed over RTMP', () => {
  let sink: RtmpSink;
  // The sink first: the platform trusts its certificate from the start.
  beforeAll(async () => (sink = await RtmpSink.start()));
  afterAll(() => sink?.close());
  // The sink is on loopback, which only an operator's allow-list opens to streaming.
  const testbed = useMediaTestbed(() => ({
    MIND_STREAMING_CA_FILE: sink.caFile,
    MIND_OUTBOUND_ALLOW: '127.0.0.1',
  }));

  it('pushes a decodable stream; alive follows the destination going away and coming back; a dead destination harms no other', async () => {
    const { id: conferenceId, socket } = await testbed.conference('streamed');
    const base = `/${testbed.app.id}/${conferenceId}`;
    const api = client(testbed.platform.url, testbed.app.token);
    await testbed.join(conferenceId, 'Ann', true);

    const dead = (await api.post(`${base}/streamings`, { url: 'rtmp://127.0.0.1:9/live/nobody' })).body;
    const live = (await api.post(`${base}/streamings`, { url: sink.url('planning') })).body;
    expect(live.alive).toBe(false);
    const aliveIs = (id: string, alive: boolean, occurrence = 1) =>
      socket.next(
        (n) => n.location === `/streamings/${id}` && (n.resource as any)?.alive === alive,
        30_000,
        occurrence,
      );

    await aliveIs(live.id, true);
    // What arrived decodes as H.264 video with AAC audio.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const [recorded] = sink.recordings();
    const probed = await probeRecording(recorded);
    expect(probed.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
    expect(probed.videoFrames).toBeGreaterThan(10);

    await sink.stop();
    await aliveIs(live.id, false);
    await sink.resume();
    await aliveIs(live.id, true, 2);

    const states = (await api.get(`${base}/streamings`)).body;
    expect(states).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: live.id, alive: true }),
        expect.objectContaining({ id: dead.id, alive: false }),
      ]),
    );
    // Deleting the streaming stops the push: nothing more is reported about it.
    expect((await api.delete(`${base}/streamings/${live.id}`)).status).toBe(200);
    const told = socket.received.length;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(socket.received.slice(told).filter((n) => n.location === `/streamings/${live.id}`)).toEqual([]);
    socket.close();
  }, 120_000);

  it('pushes over RTMPS to a destination with a trusted certificate, and never to one without', async () => {
    const { id: conferenceId, socket } = await testbed.conference('streamed-tls');
    const base = `/${testbed.app.id}/${conferenceId}`;
    const api = client(testbed.platform.url, testbed.app.token);
    await testbed.join(conferenceId, 'Bea', true);
    const before = new Set(sink.recordings());

    const forged = (await api.post(`${base}/streamings`, { url: sink.tlsUrl('forged', 'untrusted') })).body;
    const secure = (await api.post(`${base}/streamings`, { url: sink.tlsUrl('secure') })).body;
    await socket.next(
      (n) => n.location === `/streamings/${secure.id}` && (n.resource as any)?.alive === true,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const recorded = sink.recordings().filter((file) => !before.has(file) && file.includes('secure'));
    expect(recorded).toHaveLength(1);
    const probed = await probeRecording(recorded[0]);
    expect(probed.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
    expect(probed.videoFrames).toBeGreaterThan(10);
    // The other push was refused at the TLS handshake, again and again.
    expect(sink.recordings().some((file) => file.includes('forged'))).toBe(false);
    expect(
      socket.received.some((n) => n.location === `/streamings/${forged.id}` && (n.resource as any)?.alive),
    ).toBe(false);
    socket.close();
  }, 120_000);
});
