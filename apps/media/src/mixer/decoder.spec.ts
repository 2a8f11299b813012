import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import pino from 'pino';
import { Decoder } from './decoder';
import { sdpDocument } from './plain-rtp';
import { reserveRtpPorts } from './rtp-ports';

const logger = pino({ level: 'silent' });

/** A VP8 or VP9 test picture sent as RTP to a local port by ffmpeg, with a key frame every 10 frames. */
function sendTestVideo(port: number, codec: 'libvpx' | 'libvpx-vp9' = 'libvpx'): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=25'],
      ...['-c:v', codec, '-deadline', 'realtime', '-g', '10', '-b:v', '500k', '-strict', 'experimental'],
      ...['-payload_type', '96', '-ssrc', '1234', '-f', 'rtp', `rtp://127.0.0.1:${port}`],
    ],
    { stdio: 'ignore' },
  );
}

describe('Decoder', () => {
  let sender: ChildProcess;
  let decoder: Decoder;
  let release: () => void;
  afterEach(async () => {
    decoder?.close();
    const senderExit = once(sender, 'exit');
    sender?.kill('SIGKILL');
    await senderExit;
    release?.();
  });

  it('delivers pictures at its tile size, and is restarted for a new size that holds', async () => {
    const ports = await reserveRtpPorts();
    release = ports.release;
    const sdp = sdpDocument([`m=video ${ports.port} RTP/AVP 96`, 'a=rtpmap:96 VP8/90000', 'a=recvonly']);
    decoder = new Decoder({ kind: 'sdp', sdp }, { width: 320, height: 180, fit: 'cover' }, logger);
    sender = sendTestVideo(ports.port);
    await once(decoder, 'picture');
    expect([decoder.latest!.frame.width, decoder.latest!.frame.height]).toEqual([320, 180]);

    // A passing size does not restart it; one that holds for half a second does.
    const start = Date.now();
    decoder.want({ width: 640, height: 360, fit: 'cover' }, start);
    decoder.want({ width: 320, height: 180, fit: 'cover' }, start + 100);
    decoder.want({ width: 640, height: 360, fit: 'cover' }, start + 200);
    decoder.want({ width: 640, height: 360, fit: 'cover' }, start + 600);
    expect(decoder.waitingSince).toBeNull();
    const restarted = once(decoder, 'restarted');
    decoder.want({ width: 640, height: 360, fit: 'cover' }, start + 700);
    expect(decoder.waitingSince).toBe(start + 700);
    await restarted;
    await once(decoder, 'picture');
    expect(decoder.waitingSince).toBeNull();
    expect([decoder.latest!.frame.width, decoder.latest!.frame.height]).toEqual([640, 360]);
    expect(decoder.isClosed).toBe(false);
  }, 20_000);

  it('decodes VP9 from RTP it reassembles itself (ffmpeg cannot read WebRTC’s SVC)', async () => {
    const ports = await reserveRtpPorts();
    release = ports.release;
    decoder = new Decoder(
      { kind: 'vp9', port: ports.port },
      { width: 320, height: 240, fit: 'cover' },
      logger,
    );
    sender = sendTestVideo(ports.port, 'libvpx-vp9');
    await once(decoder, 'picture');
    expect([decoder.latest!.frame.width, decoder.latest!.frame.height]).toEqual([320, 240]);
  }, 20_000);
});
