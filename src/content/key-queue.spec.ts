import { KeyQueue } from './key-queue';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('KeyQueue', () => {
  it('runs work for one key in arrival order, one at a time, also after a failure', async () => {
    const queue = new KeyQueue();
    const log: string[] = [];
    let release!: () => void;
    const first = queue.run('a', async () => {
      log.push('a1 start');
      await new Promise<void>((resolve) => (release = resolve));
      log.push('a1 end');
      throw new Error('a1 failed');
    });
    const second = queue.run('a', () => Promise.resolve(void log.push('a2')));
    const other = queue.run('b', () => Promise.resolve(void log.push('b1')));
    await other;
    await tick();
    expect(log).toEqual(['a1 start', 'b1']);
    release();
    await expect(first).rejects.toThrow('a1 failed');
    await second;
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('forgets a key once its work is done', async () => {
    const queue = new KeyQueue();
    await queue.run('a', () => Promise.resolve(1));
    await tick();
    expect((queue as unknown as { tails: Map<string, unknown> }).tails.size).toBe(0);
  });
});
