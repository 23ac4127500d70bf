import fc from 'fast-check';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load-config';
import { DeployEvents, DeployTransition } from '../src/deploy/deploy-events';
import type { RunStatus } from '../src/deploy/deploy-state';
import { RedisDeployState } from '../src/deploy/redis-deploy-state';
import { RedisService } from '../src/redis/redis.service';
import { TestStack } from './support/stack';

const STEP: Record<string, number> = { dispatched: 0, building: 1, live: 2, 'build-failed': 2, superseded: 2 };
const run = (status: string, conclusion: string | null) => ({
  id: 1,
  url: 'https://run/1',
  status,
  conclusion,
  startedAt: null,
  completedAt: null,
});

/** Run tracking's transitions of the deploy state owner against a real Redis: the deploy never moves backwards, whatever order reports arrive in. */
describe('run tracking transitions in Redis', () => {
  let stack: TestStack;
  let redis: RedisService;
  let raw: Redis;
  let store: RedisDeployState;
  const published: DeployTransition[] = [];

  beforeAll(async () => {
    stack = await TestStack.start();
    const config = loadConfig({ S3_BUCKET: 'blog', REDIS_URL: stack.redis.url, QUEUE_PREFIX: 'runs-test' });
    redis = new RedisService(config);
    await redis.waitUntilReady(5_000);
    const events = new DeployEvents();
    events.subscribe((transition) => void published.push(transition));
    store = new RedisDeployState(redis, events, config);
    raw = new Redis(stack.redis.url);
  });

  afterAll(async () => {
    raw?.disconnect();
    await redis?.onApplicationShutdown();
    await stack?.stop();
  });

  async function dispatchedDeploy(id: string, dispatchedAt: number): Promise<void> {
    await raw.hset(`runs-test:deploys:rec:${id}`, {
      id,
      status: 'dispatched',
      reason: 'changes',
      dispatchedAt,
      attempts: 1,
    });
    await raw.zadd('runs-test:deploys:history', dispatchedAt, id);
  }

  it('any sequence of reports: each is applied exactly when it moves forward, and a finished deploy stays finished', async () => {
    const reports = fc.array(fc.constantFrom<RunStatus>('building', 'live', 'build-failed', 'superseded'), {
      maxLength: 8,
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(reports, async (sequence) => {
        const id = `p${n++}`;
        await dispatchedDeploy(id, 1_000 + n);
        let modelled = 'dispatched';
        for (const to of sequence) {
          const moves = STEP[modelled] < 2 && STEP[to] >= STEP[modelled];
          expect(
            await store.runObserved(id, run(to === 'building' ? 'in_progress' : 'completed', null), to, null),
          ).toBe(moves);
          if (moves) modelled = to;
          expect(await raw.hget(`runs-test:deploys:rec:${id}`, 'status')).toBe(modelled);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('follows dispatched and building deploys until they finish or are given up on; names the newest dispatch', async () => {
    await raw.flushall();
    await dispatchedDeploy('a', 10);
    await dispatchedDeploy('b', 20);
    await dispatchedDeploy('c', 30);
    expect((await store.trackedRuns()).deploys.map((d) => d.id)).toEqual(['a', 'b', 'c']);
    published.length = 0;
    await store.runObserved('a', run('completed', 'success'), 'live', null);
    await store.stopTracking('b', 'gave up');
    expect(published.map((t) => [t.deploy.id, t.from, t.to])).toEqual([['a', 'dispatched', 'live']]);
    expect(published[0].deploy.run).toEqual(run('completed', 'success'));
    const tracked = await store.trackedRuns();
    expect(tracked).toEqual({
      deploys: [{ id: 'c', status: 'dispatched', dispatchedAt: 30, run: null }],
      newestDispatchAt: 30,
      dispatchInFlight: false,
    });
    expect(await raw.hget('runs-test:deploys:rec:b', 'lastError')).toBe('gave up');
    expect(await raw.hget('runs-test:deploys:rec:b', 'status')).toBe('dispatched');
    expect(await store.runObserved('b', run('completed', 'success'), 'live', null)).toBe(false);
  });
});
