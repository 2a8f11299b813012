import { createSocket } from 'node:dgram';
import { PocketSphinxEngine, wordErrorRate } from '@mind/asr';
import { concat, onsetMs, opusPackets, silence, speak } from '@mind/asr/testing';
import type { UtteranceReport } from '@mind/contracts';
import { createLogger } from '@mind/logging';
import { InlineRecogniser } from './recogniser';
import { VoiceStream } from './voice-stream';

const PAYLOAD_TYPE = 100;
const FRAME = 960; // 20 ms at 48 kHz

function rtp(payload: Buffer, sequence: number, timestamp: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = PAYLOAD_TYPE;
  header.writeUInt16BE(sequence & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(0x1234, 8);
  return Buffer.concat([header, payload]);
}

describe('a voice stream: RTP in, timed utterances out', () => {
  const lines = [
    'please send me the recording of the meeting tomorrow',
    'the new office opens in the spring',
  ];

  it('decodes in order, drops repeats, conceals a lost packet, and a paused producer ends an utterance without joining the stretches', async () => {
    const reports: UtteranceReport[] = [];
    const stream = await VoiceStream.open(
      '127.0.0.1',
      {
        nodeId: 'node',
        incarnation: 'one',
        conferenceId: 'c',
        participantId: 'p',
        language: 'en',
        codec: { payloadType: PAYLOAD_TYPE, clockRate: 48_000, channels: 2 },
        traceId: '',
      },
      new InlineRecogniser(new PocketSphinxEngine()),
      (report) => reports.push(report),
      createLogger('test', 'silent'),
    );
    const sender = createSocket('udp4');
    // Paced (twice real time), as a media node sends: not faster than the stream reads.
    const send = async (packet: Buffer) => {
      await new Promise<void>((resolve) => sender.send(packet, stream.port, '127.0.0.1', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 10));
    };

    // First stretch: the first line, with one packet lost and one sent twice.
    let sequence = 1000;
    let timestamp = 5000;
    const spoken = lines.map((line) => speak(line, 'slt'));
    const first = opusPackets(concat([silence(500), spoken[0], silence(300)]));
    const firstStarted = Date.now();
    for (const [index, frame] of first.entries()) {
      const packet = rtp(frame, sequence++, (timestamp += FRAME));
      if (index !== 40) await send(packet);
      if (index === 60) await send(packet);
    }
    // The producer is paused for 3 s (the timestamps jump, the sequence numbers do not), during
    // which 3 s pass; then the second line, and the stream is stopped without a pause after it.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    timestamp += 3 * 48_000;
    const secondStarted = Date.now();
    for (const frame of opusPackets(spoken[1])) await send(rtp(frame, sequence++, (timestamp += FRAME)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stream.stop();
    sender.close();

    expect(reports).toHaveLength(2);
    expect(wordErrorRate(lines[0], reports[0].text)).toBeLessThanOrEqual(0.35);
    expect(wordErrorRate(lines[1], reports[1].text)).toBeLessThanOrEqual(0.35);
    // Each begins when its speech was heard (0.01-0.07 s off here; the rest is this process's own
    // scheduling, which it shares with the stream).
    expect(Math.abs(reports[0].startedAt - (firstStarted + 500 + onsetMs(spoken[0])))).toBeLessThan(300);
    expect(Math.abs(reports[1].startedAt - (secondStarted + onsetMs(spoken[1])))).toBeLessThan(300);
    expect(reports[0].endedAt).toBeLessThan(reports[1].startedAt);
    expect(reports.every((r) => r.conferenceId === 'c' && r.participantId === 'p')).toBe(true);
  }, 60_000);
});
