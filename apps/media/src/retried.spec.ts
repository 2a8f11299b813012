import { retried } from './retried';

describe('retried', () => {
  const policy = (tries: number, log: string[]) => ({
    giveUp: (attempt: number) => attempt >= tries,
    delayMs: () => 1,
    onRetry: (error: unknown, attempt: number) => log.push(`${attempt}: ${(error as Error).message}`),
  });

  it('answers what the first successful try answers, after saying why each failed try is repeated', async () => {
    const log: string[] = [];
    let calls = 0;
    const answer = await retried(
      async () => {
        if (++calls < 3) throw new Error(`failure ${calls}`);
        return 'taken';
      },
      policy(5, log),
    );
    expect(answer).toBe('taken');
    expect(log).toEqual(['1: failure 1', '2: failure 2']);
  });

  it('throws the last failure once the policy gives up, without a pause or a word after it', async () => {
    const log: string[] = [];
    let calls = 0;
    const failing = retried(
      async () => {
        throw new Error(`failure ${++calls}`);
      },
      policy(3, log),
    );
    await expect(failing).rejects.toThrow('failure 3');
    expect(calls).toBe(3);
    expect(log).toEqual(['1: failure 1', '2: failure 2']);
  });
});
