import { whileStarting } from './while-starting';

const retriable = () => Object.assign(new Error('This is not the correct coordinator for this group'), { retriable: true });

describe('whileStarting', () => {
  it('retries what a starting broker answers with a retriable error, then returns the result', async () => {
    let calls = 0;
    const result = await whileStarting(async () => {
      if (++calls < 3) throw retriable();
      return 'ok';
    });
    expect([result, calls]).toEqual(['ok', 3]);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await expect(
      whileStarting(async () => {
        calls++;
        throw new Error('topic authorization failed');
      }),
    ).rejects.toThrow(/authorization/);
    expect(calls).toBe(1);
  });

  it('gives up after its deadline with the last error', async () => {
    await expect(whileStarting(async () => Promise.reject(retriable()), 300)).rejects.toThrow(/coordinator/);
  });
});
