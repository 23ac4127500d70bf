import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError } from '../src/common/domain-errors';
import { RedisService } from '../src/redis/redis.service';
import { TestStack } from './support/stack';

/** The per-key write lock every content write holds (RedisService.withLock), on a real redis-server. */
describe('RedisService.withLock', () => {
  let stack: TestStack;
  let one: RedisService;
  let two: RedisService;
  /** The test's own connection, to play a dead holder and check keys. */
  let direct: Redis;

  beforeAll(async () => {
    stack = await TestStack.start();
    const config = stack.config();
    // Two services, two connections: as two instances of the app would hold them.
    [one, two] = [new RedisService(config), new RedisService(config)];
    direct = new Redis(config.redisUrl);
    await Promise.all([one.waitUntilReady(5_000), two.waitUntilReady(5_000)]);
  });

  afterAll(async () => {
    await one?.onApplicationShutdown();
    await two?.onApplicationShutdown();
    direct?.disconnect();
    await stack?.stop();
  });

  it('lets one holder at a time run, across connections', async () => {
    let inside = 0;
    let most = 0;
    let counter = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? one : two).withLock('counter', async () => {
          most = Math.max(most, ++inside);
          const seen = counter;
          await sleep(1); // a read-modify-write with a gap, as an S3 read then write has
          counter = seen + 1;
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(counter).toBe(20);
  });

  it('keeps the lock while slow work outlasts the TTL, so the next holder waits for it to finish', async () => {
    const events: string[] = [];
    const slow = one.withLock(
      'slow',
      async () => {
        events.push('slow start');
        await sleep(2_500); // the work itself: two and a half TTLs long
        events.push('slow end');
      },
      { ttlMs: 1_000 },
    );
    while (events.length === 0) await sleep(5);
    await two.withLock('slow', () => {
      events.push('next start');
      return Promise.resolve();
    });
    await slow;
    expect(events).toEqual(['slow start', 'slow end', 'next start']);
  });

  it('frees the key of a holder that died (its TTL runs out) and releases only its own lock', async () => {
    await direct.set(one.key('lock', 'orphaned'), 'dead-process-token', 'PX', 200);
    await expect(two.withLock('orphaned', () => Promise.resolve('got it'))).resolves.toBe('got it');
    await two.withLock('mine', async () => {
      // Someone else's token on the key (as after an expiry) must survive this holder's release.
      await direct.set(two.key('lock', 'mine'), 'other-token');
    });
    expect(await direct.get(one.key('lock', 'mine'))).toBe('other-token');
  });

  it('gives up with a 503 after waitMs while another holder keeps the key', async () => {
    let release!: () => void;
    const held = one.withLock('busy', () => new Promise<void>((resolve) => (release = resolve)));
    while (release === undefined) await sleep(5);
    const error: unknown = await two
      .withLock('busy', () => Promise.resolve(), { waitMs: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).status).toBe(503);
    release();
    await held;
  });

  it('releases the lock when the work throws', async () => {
    await expect(one.withLock('throws', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await direct.exists(one.key('lock', 'throws'))).toBe(0);
  });

  it('applies QUEUE_PREFIX to the lock key', () => {
    expect(one.key('lock', 'posts/a.json')).toBe('blog:lock:posts/a.json');
  });
});
