import type { Post } from '../src/posts/post';
import { LATE_AFTER_MS } from '../src/scheduling/publisher';
import { logsOf, ServiceProcess } from './support/processes';
import { accepted, API_TOKEN, payloadOf } from './support/resilience';
import {
  FIRST_ON_SITE,
  inMsWithOffset,
  LatenessLog,
  latenessMs,
  publicationsOf,
  publishedPost,
  sendAuthorized,
  SharedBackends,
  startSharedBackends,
  stopSharedBackends,
} from './support/scheduling';
import { waitFor } from './support/wait-for';

const AUTH = { authorization: `Bearer ${API_TOKEN}` };

/**
 * Scheduled publishing with the built service in separate processes: many instances racing for the same
 * publication, the only worker killed across publishAt, Redis losing its data. Each publication must happen
 * exactly once (one rewrite, one dispatch), late rather than never.
 */
describe('scheduled publishing: instances, crashes and Redis restarts', () => {
  let backends: SharedBackends;
  const services: ServiceProcess[] = [];
  const lateness = new LatenessLog();

  const start = async (
    name: string,
    role: 'api' | 'worker' | 'all',
    env: Record<string, string> = {},
  ): Promise<ServiceProcess> => {
    const service = await ServiceProcess.start(
      name,
      { ...backends.env, APP_ROLE: role, ...env },
      { timeoutMs: 120_000 },
    );
    services.push(service);
    return service;
  };

  async function schedule(url: string, id: string, inMs: number): Promise<Post> {
    const res = await sendAuthorized(url, 'POST', '/posts', {
      id,
      title: `Title of ${id}`,
      body: 'scheduled',
      authorIds: ['ann'],
      status: 'scheduled',
      publishAt: inMsWithOffset(inMs),
    });
    if (res.status !== 201) throw new Error(`POST /posts answered ${res.status}`);
    return res.post!;
  }

  /** `wait`, failing with every instance's log lines (which say what each did about the schedule). */
  const withLogs = <T>(wait: Promise<T>): Promise<T> =>
    wait.catch((error: Error) => {
      throw new Error(`${error.message}\n${logsOf(...services)}`);
    });
  const dispatchesNaming = (id: string) =>
    accepted(backends.github).filter((d) => payloadOf(d).changes.some((c) => c.kind === 'post' && c.id === id));

  /** Waits for the publication to be deployed and for nothing more to deploy, then expects one rewrite and one dispatch. */
  async function expectPublishedOnce(id: string, url: string): Promise<void> {
    const etag = (await fetch(`${url}/posts/${id}`, { headers: AUTH })).headers.get('etag')!.replace(/"/g, '');
    await withLogs(
      waitFor(
        `the record of the last dispatch to hold post ${id} as published`,
        async () => {
          const marker = await backends.s3.readJson<{ objects: Record<string, string> }>(
            'deploys/last-dispatched.json',
          );
          return marker?.objects[`posts/${id}.json`] === etag;
        },
        30_000,
      ),
    );
    expect(publicationsOf(services, id)).toBe(1);
    expect(dispatchesNaming(id)).toHaveLength(1);
    expect(payloadOf(dispatchesNaming(id)[0]).changes).toContainEqual(
      expect.objectContaining({ kind: 'post', id, action: FIRST_ON_SITE }),
    );
  }

  beforeAll(async () => {
    backends = await startSharedBackends('sched', { DEPLOY_RECONCILE_MS: '500' });
    const first = await start('setup', 'all');
    expect((await sendAuthorized(first.url, 'POST', '/authors', { id: 'ann', name: 'Ann' })).status).toBe(201);
    await first.terminate();
  }, 180_000); // a service start: slow on a loaded machine

  afterEach(async () => {
    await Promise.all(services.map((s) => s.terminate()));
  });

  afterAll(async () => {
    lateness.print('scheduling-resilience');
    await stopSharedBackends(backends);
  });

  it('ten instances: each scheduled post is rewritten once and dispatched once', async () => {
    // Background passes less often than in the other tests: ten instances doing them twice a second load a small machine.
    const starting = Date.now();
    const instances = await Promise.all(
      Array.from({ length: 10 }, (_, i) => start(`all-${i}`, 'all', { DEPLOY_RECONCILE_MS: '3000' })),
    );
    lateness.add('(not lateness) time for ten instances to start', Date.now() - starting);
    const ids = ['ten-1', 'ten-2', 'ten-3'];
    const scheduled = await Promise.all(ids.map((id, i) => schedule(instances[i * 3].url, id, 2_000 + i * 500)));
    for (const [i, id] of ids.entries()) {
      const post = await withLogs(publishedPost(instances[9].url, id, 20_000, AUTH));
      lateness.add('ten instances', latenessMs(post, scheduled[i].publishAt!));
    }
    for (const id of ids) await expectPublishedOnce(id, instances[0].url);
  }, 300_000);

  it('the only worker killed (SIGKILL) across publishAt: published once, late, when it is back', async () => {
    const api = await start('api', 'api');
    const worker = await start('worker', 'worker');
    const post = await schedule(api.url, 'crash-1', 1_500);
    await worker.kill('SIGKILL');
    const due = Date.parse(post.publishAt!);
    // Past the point where a publication counts as late, so the restarted worker must say so.
    await waitFor('publishAt to pass with no worker running', () => Date.now() > due + LATE_AFTER_MS, 10_000);
    // An api instance runs no publications.
    expect((await sendAuthorized(api.url, 'GET', '/posts/crash-1')).post?.status).toBe('scheduled');

    const restarted = await start('worker-2', 'worker');
    const published = await withLogs(publishedPost(api.url, 'crash-1', 20_000, AUTH));
    lateness.add('after a worker restart (lateness includes the downtime)', latenessMs(published, post.publishAt!));
    lateness.add('after a worker restart, from the restart', Date.parse(published.updatedAt) - restarted.startedAt);
    expect(published.publishedAt).toBe(post.publishAt);
    await restarted.waitForLog(/^post crash-1 published late, by \d+\.\d s: it was due at /);
    await expectPublishedOnce('crash-1', api.url);
  }, 120_000);

  it('Redis restarted empty before publishAt, or down across it: still published, once', async () => {
    const api = await start('api-r', 'api');
    await start('worker-r', 'all');
    const before = await schedule(api.url, 'redis-before', 3_000);
    const across = await schedule(api.url, 'redis-across', 1_500);
    await backends.stack.redis.stop('SIGKILL');
    await waitFor(
      'publishAt of the second post to pass while Redis is down',
      () => Date.now() > Date.parse(across.publishAt!) + 500,
      10_000,
    );
    await backends.stack.redis.start();

    for (const post of [before, across]) {
      const published = await withLogs(publishedPost(api.url, post.id, 30_000, AUTH));
      lateness.add('after Redis restarted empty', latenessMs(published, post.publishAt!));
      expect(published.publishedAt).toBe(post.publishAt);
    }
    await expectPublishedOnce('redis-before', api.url);
    await expectPublishedOnce('redis-across', api.url);
  }, 180_000);
});
