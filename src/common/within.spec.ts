import { within } from './within';

describe('within', () => {
  it("is the promise's value when it settles in time, and its failure when it fails in time", async () => {
    await expect(within(Promise.resolve('done'), 1_000, () => 'late')).resolves.toBe('done');
    await expect(within(Promise.reject(new Error('no')), 1_000, () => 'late')).rejects.toThrow('no');
  });

  it('is the fallback, read when the wait ends, for a promise that has not settled', async () => {
    let latest = 'at the call';
    const waiting = within(new Promise<string>(() => undefined), 20, () => latest);
    latest = 'when the wait ended';
    await expect(waiting).resolves.toBe('when the wait ended');
  });
});
