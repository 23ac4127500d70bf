import { Logger } from '@nestjs/common';
import { RepeatedLog } from './repeated-log';

describe('RepeatedLog', () => {
  it('logs the same message at most once per window, then says how often it was held back', () => {
    let now = 0;
    const warn = jest.fn();
    const log = new RepeatedLog({ warn } as unknown as Logger, 10_000, () => now, new Map());
    for (; now < 25_000; now += 100) log.warn('Redis: READONLY');
    log.warn('another message');
    expect(warn.mock.calls.map(([m]) => m)).toEqual([
      'Redis: READONLY',
      'Redis: READONLY (repeated 99 more time(s) in the last 10 s)',
      'Redis: READONLY (repeated 99 more time(s) in the last 10 s)',
      'another message',
    ]);
  });

  it('logs a key once per window across every instance of the process', () => {
    const warn = jest.fn();
    const seen = new Map();
    const [one, two] = [0, 1].map(() => new RepeatedLog({ warn } as unknown as Logger, 10_000, () => 0, seen));
    one.warn('deploy worker: Redis cannot be reached', 'redis unreachable');
    two.warn('deploy queue: Redis cannot be reached', 'redis unreachable');
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
