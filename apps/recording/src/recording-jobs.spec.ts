import pino from 'pino';
import type { ProtocolBus } from '@mind/messaging';
import { RecordingJobs, type RecordingJob, type RecordingMaker } from './recording-jobs';

const job = (data: Partial<RecordingJob> = {}) => ({
  id: 'job-1',
  attemptsMade: 0,
  data: { conferenceId: 'c1', segmentKeys: ['a', 'b'], ...data },
});
const made = { segments: 2, durationSeconds: 10, width: 1280, height: 720 };

function jobsWith(maker: RecordingMaker, status: 200 | 503) {
  const calls: unknown[][] = [];
  const bus = {
    call: async (...args: unknown[]) => (calls.push(args), { status }),
  } as unknown as ProtocolBus;
  return { jobs: new RecordingJobs(maker, bus, pino({ level: 'silent' })), calls };
}

describe('a recording job', () => {
  it('makes the recording, then tells the conference service how many segments it covers', async () => {
    const { jobs, calls } = jobsWith({ make: async () => made }, 200);
    await expect(jobs.handle(job())).resolves.toEqual(made);
    expect(calls).toHaveLength(1);
    expect(calls[0]![1]).toEqual({ conferenceId: 'c1', segments: 2 });
  });

  it('fails (to be retried) when the conference service does not take the report', async () => {
    const { jobs } = jobsWith({ make: async () => made }, 503);
    await expect(jobs.handle(job())).rejects.toThrow('failed to take the recording');
  });

  it('tells nothing when the recording could not be made', async () => {
    const { jobs, calls } = jobsWith(
      {
        make: async () => {
          throw new Error('ffmpeg failed');
        },
      },
      200,
    );
    await expect(jobs.handle(job())).rejects.toThrow('ffmpeg failed');
    expect(calls).toHaveLength(0);
  });
});
