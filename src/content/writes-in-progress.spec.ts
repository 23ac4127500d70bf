import type { RedisService } from '../redis/redis.service';
import { WRITE_NOTE_TTL_MS, WritesInProgress } from './writes-in-progress';

/** The scripts the class runs, in the order sent; BEGIN can be made to fail. */
function fakeRedis() {
  const sent: string[] = [];
  let failNext = false;
  const redis = {
    key: (...parts: string[]) => parts.join(':'),
    run: (script: { command: string }, _keys: unknown, args: { lapsesAt?: number }) => {
      const name = /begin|end|count/.exec(script.command.toLowerCase())![0];
      sent.push(args.lapsesAt === undefined ? name : `${name}@${args.lapsesAt}`);
      if (name === 'begin' && failNext) {
        failNext = false;
        return Promise.reject(new Error('Nothing was saved: the write could not be noted'));
      }
      return Promise.resolve(1);
    },
  };
  return { redis: redis as unknown as RedisService, sent, failBegin: () => (failNext = true) };
}

const gate = () => {
  let open!: () => void;
  const closed = new Promise<void>((resolve) => (open = resolve));
  return { closed, open };
};

describe('WritesInProgress', () => {
  afterEach(() => jest.useRealTimers());

  it('notes a busy period once, however many writes overlap in it, and crosses it off when the last ends', async () => {
    const { redis, sent } = fakeRedis();
    const writes = new WritesInProgress(redis);
    const first = gate();
    const second = gate();
    const a = writes.during(() => first.closed);
    const b = writes.during(() => second.closed);
    await Promise.resolve();
    first.open();
    await a;
    expect(sent.filter((s) => !s.startsWith('begin'))).toEqual([]);
    second.open();
    await b;
    expect(sent.map((s) => s.split('@')[0])).toEqual(['begin', 'end']);

    await writes.during(() => Promise.resolve());
    expect(sent.map((s) => s.split('@')[0])).toEqual(['begin', 'end', 'begin', 'end']);
  });

  it('renews a note that has grown old while writes kept coming, so it never lapses under a write', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { redis, sent } = fakeRedis();
    const writes = new WritesInProgress(redis);
    const long = gate();
    const running = writes.during(() => long.closed);
    await Promise.resolve();
    jest.setSystemTime(1_000_000 + WRITE_NOTE_TTL_MS / 3 + 1);
    await writes.during(() => Promise.resolve());
    long.open();
    await running;
    expect(sent).toEqual([
      `begin@${1_000_000 + WRITE_NOTE_TTL_MS}`,
      `begin@${1_000_000 + WRITE_NOTE_TTL_MS / 3 + 1 + WRITE_NOTE_TTL_MS}`,
      'end',
    ]);
  });

  it('refuses a write whose note fails, runs none of it, and asks again for the next write', async () => {
    const { redis, sent, failBegin } = fakeRedis();
    const writes = new WritesInProgress(redis);
    const work = jest.fn(() => Promise.resolve('saved'));
    failBegin();
    await expect(writes.during(work)).rejects.toThrow(/could not be noted/);
    expect(work).not.toHaveBeenCalled();
    await expect(writes.during(work)).resolves.toBe('saved');
    expect(sent.map((s) => s.split('@')[0])).toEqual(['begin', 'end', 'begin', 'end']);
  });
});
