import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingSegment } from './mixed-media-recorder';
import { TS_PACKET_SIZE, TS_PIDS } from './transport-stream';

/** A TS packet of a PID; a key frame start has the payload-start flag and a random access point. */
function packet(pid: number, marker: number, keyFrame = false): Buffer {
  const data = Buffer.alloc(TS_PACKET_SIZE, marker);
  data[0] = 0x47;
  data[1] = (keyFrame ? 0x40 : 0) | (pid >> 8);
  data[2] = pid & 0xff;
  data[3] = keyFrame ? 0x30 : 0x10;
  if (keyFrame) [data[4], data[5]] = [7, 0x40];
  return data;
}

describe('RecordingSegment', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'mind-segment-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const tables = [packet(TS_PIDS.pat, 1), packet(TS_PIDS.pmt, 2)];
  const audio = (marker: number) => packet(TS_PIDS.video + 1, marker);
  const video = (marker: number, keyFrame = false) => packet(TS_PIDS.video, marker, keyFrame);

  it('starts at the first video key frame, with the stream tables in front', async () => {
    const segment = new RecordingSegment(join(directory, 'a.ts'));
    segment.take(Buffer.concat([audio(10), video(11)]), tables);
    segment.take(Buffer.concat([audio(12), video(13, true), audio(14)]), tables);
    segment.take(video(15), tables);
    expect(await segment.stop()).toBe(true);
    expect(readFileSync(segment.file)).toEqual(
      Buffer.concat([...tables, video(13, true), audio(14), video(15)]),
    );
  });

  it('takes nothing after its stop, and closes its observer once', async () => {
    const segment = new RecordingSegment(join(directory, 'b.ts'));
    const closed = jest.fn();
    segment.observer.on('close', closed);
    segment.take(video(1, true), tables);
    expect(await segment.stop()).toBe(true);
    segment.take(video(2, true), tables);
    expect(await segment.stop()).toBe(true);
    expect(readFileSync(segment.file)).toEqual(Buffer.concat([...tables, video(1, true)]));
    expect(closed).toHaveBeenCalledTimes(1);
    expect(segment.isOpen).toBe(false);
  });

  it('has no media and writes no file when stopped before any key frame', async () => {
    const segment = new RecordingSegment(join(directory, 'c.ts'));
    segment.take(Buffer.concat([audio(1), video(2)]), tables);
    expect(await segment.stop()).toBe(false);
    expect(existsSync(segment.file)).toBe(false);
  });
});
