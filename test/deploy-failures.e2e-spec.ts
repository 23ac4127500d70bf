import { Redis } from 'ioredis';
import request from 'supertest';
import { FakeGithub, FakeResponse } from './support/fake-github';
import { TOKEN, answeredDispatches, bodyOf, deploysOf, settled, startDeployingApp } from './support/deploy-harness';
import { RunningApp, TestStack } from './support/stack';

const BACKOFF = 200;
const gh = (status: number, message: string, headers?: Record<string, string>): FakeResponse => ({
  status,
  headers,
  body: { message, documentation_url: 'https://docs.github.com/rest' },
});

/** Every string value stored in Redis: the queue's jobs, the deploy records, everything. */
async function everythingInRedis(url: string): Promise<string> {
  const redis = new Redis(url);
  try {
    const values: string[] = [];
    for (const key of await redis.keys('*')) {
      const type = await redis.type(key);
      if (type === 'string') values.push((await redis.get(key)) ?? '');
      if (type === 'hash') values.push(JSON.stringify(await redis.hgetall(key)));
      if (type === 'list') values.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      if (type === 'zset' || type === 'set')
        values.push(JSON.stringify(type === 'set' ? await redis.smembers(key) : await redis.zrange(key, '0', '-1')));
      if (type === 'stream') values.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
    return values.join('\n');
  } finally {
    redis.disconnect();
  }
}

describe('deploys: GitHub failures, retries and the messages people read', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let running: RunningApp;
  const api = () => request(running.url);

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    running = await startDeployingApp(stack, github, {
      DEPLOY_DEBOUNCE_MS: '100',
      DEPLOY_MAX_WAIT_MS: '1000',
      DEPLOY_BACKOFF_MS: String(BACKOFF),
      DEPLOY_MAX_ATTEMPTS: '4',
    });
    await api().post('/authors').send({ id: 'ada', name: 'Ada' }).expect(201);
    await answeredDispatches(github, 1);
  });

  beforeEach(() => github.reset());

  afterAll(async () => {
    await running?.close();
    await github?.close();
    await stack?.stop();
  });

  it('retries 502, 502 then succeeds: three attempts spaced by a growing backoff', async () => {
    github.respond('dispatch', gh(502, 'Bad Gateway'), gh(502, 'Bad Gateway'));
    await api().patch('/authors/ada').send({ bio: 'retry me' }).expect(200);
    const attempts = await answeredDispatches(github, 3);
    expect(attempts.map((a) => a.status)).toEqual([502, 502, 204]);
    expect(attempts[1].startedAt - attempts[0].endedAt!).toBeGreaterThanOrEqual(BACKOFF * 0.8);
    expect(attempts[2].startedAt - attempts[1].endedAt!).toBeGreaterThanOrEqual(BACKOFF * 2 * 0.8);
    const ids = new Set(attempts.map((a) => bodyOf(a).client_payload.deployId));
    expect(ids.size).toBe(1);
    expect(await settled(running.url, [...ids][0])).toMatchObject({ status: 'dispatched', attempts: 3 });
  });

  it('obeys Retry-After on a 429', async () => {
    github.respond('dispatch', gh(429, 'Too many requests', { 'retry-after': '1' }));
    await api().patch('/authors/ada').send({ bio: 'rate limited' }).expect(200);
    const [limited, retried] = await answeredDispatches(github, 2);
    expect(retried.startedAt - limited.endedAt!).toBeGreaterThanOrEqual(1000);
    expect(await settled(running.url, bodyOf(retried).client_payload.deployId)).toMatchObject({
      status: 'dispatched',
      attempts: 2,
    });
  });

  it.each([
    [401, 'Bad credentials', /token/i],
    [404, 'Not Found', /repo/i],
    [422, 'Invalid request. "event_type" is too long', /event_type/],
  ])(
    'fails a %i at once with a message a person can act on, and carries the changes forward',
    async (status, message, explains) => {
      github.respond('dispatch', gh(status, message));
      await api()
        .patch('/authors/ada')
        .send({ bio: `fails with ${status}` })
        .expect(200);
      const [attempt] = await answeredDispatches(github, 1);
      const failed = await settled(running.url, bodyOf(attempt).client_payload.deployId);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
      expect(failed.lastError).toMatch(explains);
      expect(failed.lastError).toContain(String(status));
      expect(github.dispatches()).toHaveLength(1);
      // Its changes wait, visibly held, with no time set and words saying what sends them.
      const held = (await deploysOf(running.url)).find((d) => d.status === 'held');
      expect(held).toMatchObject({ scheduledFor: null, changes: [expect.objectContaining({ id: 'ada' })] });
      expect(held!.lastError).toMatch(/next edit.*POST \/deploys.*restart/);

      // The failed deploy's change rides with the next one.
      await api()
        .post('/authors')
        .send({ name: `After ${status}` })
        .expect(201);
      const [, next] = await answeredDispatches(github, 2);
      expect(bodyOf(next).client_payload.changes.map((c) => c.id)).toEqual(expect.arrayContaining(['ada']));
    },
  );

  it('never stores the token in deploy records, job data or anything else in Redis', async () => {
    const history = JSON.stringify(await deploysOf(running.url));
    expect(history).toContain('Bad credentials');
    expect(history).not.toContain(TOKEN);
    expect(await everythingInRedis(running.config.redisUrl)).not.toContain(TOKEN);
  });
});
