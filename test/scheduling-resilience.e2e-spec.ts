import { randomUUID } from 'node:crypto';
import type { Post } from '../src/posts/post';
import { FakeGithub } from './support/fake-github';
import { killAllServices, logsOf, ServiceProcess } from './support/processes';
import { accepted, API_TOKEN, DirectS3, payloadOf, productionEnv } from './support/resilience';
import { inMsWithOffset, LatenessLog, latenessMs, publishedPost } from './support/scheduling';
import { TestStack } from './support/stack';
import { waitFor } from './support/wait-for';

const AUTH = { authorization: `Bearer ${API_TOKEN}` };
const PUBLISHED_LINE = /^post (\S+) published (late|at its publishAt)/;

/**
 * Scheduled publishing with the built service in separate processes: many instances racing for the same
 * publication, the only worker killed across publishAt, Redis losing its data. Each publication must happen
 * exactly once (one rewrite, one dispatch), late rather than never.
 */
describe('scheduled publishing: instances, crashes and Redis restarts', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let s3: DirectS3;
  let env: Record<string, string | undefined>;
  const services: ServiceProcess[] = [];
  const lateness = new LatenessLog();

  const start = async (name: string, role: 'api' | 'worker' | 'all'): Promise<ServiceProcess> => {
    const service = await ServiceProcess.start(name, { ...env, APP_ROLE: role }, 'ready', 60_000);
    services.push(service);
    return service;
  };

  async function send(url: string, method: string, path: string, body?: object): Promise<{ status: number; body: Post }> {
    const res = await fetch(`${url}${path}`, { method, headers: { ...AUTH, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json().catch(() => null)) as Post };
  }

  async function schedule(url: string, id: string, inMs: number): Promise<Post> {
    const res = await send(url, 'POST', '/posts', { id, title: `Title of ${id}`, body: 'scheduled', authorIds: ['ann'], status: 'scheduled', publishAt: inMsWithOffset(inMs) });
    if (res.status !== 201) throw new Error(`POST /posts answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Publication log lines for `id`, across every instance this file started (dead ones included). */
  const publications = (id: string) => services.flatMap((s) => s.messages()).filter((msg) => PUBLISHED_LINE.exec(msg)?.[1] === id);
  const dispatchesNaming = (id: string) => accepted(github).filter((d) => payloadOf(d).changes.some((c) => c.kind === 'post' && c.id === id));

  /** Waits for the publication to be deployed and for nothing more to deploy, then expects one rewrite and one dispatch. */
  async function expectPublishedOnce(id: string, url: string): Promise<void> {
    const etag = (await fetch(`${url}/posts/${id}`, { headers: AUTH })).headers.get('etag')!.replace(/"/g, '');
    await waitFor(`the record of the last dispatch to hold post ${id} as published`, async () => {
      const marker = await s3.readJson<{ objects: Record<string, string> }>('deploys/last-dispatched.json');
      return marker?.objects[`posts/${id}.json`] === etag;
    }, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${logsOf(...services)}`);
    });
    expect(publications(id)).toHaveLength(1);
    expect(dispatchesNaming(id)).toHaveLength(1);
    expect(payloadOf(dispatchesNaming(id)[0]).changes).toContainEqual(expect.objectContaining({ kind: 'post', id, action: 'updated' }));
  }

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    const bucket = `sched-${randomUUID().slice(0, 8)}`;
    s3 = new DirectS3(stack.s3.endpoint, bucket);
    await s3.createBucket();
    env = productionEnv(stack, github, { S3_BUCKET: bucket, DEPLOY_RECONCILE_MS: '500' });
    const first = await start('setup', 'all');
    expect((await send(first.url, 'POST', '/authors', { id: 'ann', name: 'Ann' })).status).toBe(201);
    await first.terminate();
  });

  afterEach(async () => {
    await Promise.all(services.map((s) => s.terminate()));
  });

  afterAll(async () => {
    lateness.print('scheduling-resilience');
    await killAllServices();
    s3?.close();
    await github?.close();
    await stack?.stop();
  });

  it('ten instances: each scheduled post is rewritten once and dispatched once', async () => {
    const instances = await Promise.all(Array.from({ length: 10 }, (_, i) => start(`all-${i}`, 'all')));
    const ids = ['ten-1', 'ten-2', 'ten-3'];
    const scheduled = await Promise.all(ids.map((id, i) => schedule(instances[i * 3].url, id, 2_000 + i * 500)));
    for (const [i, id] of ids.entries()) {
      const post = await publishedPost(instances[9].url, id, 20_000, AUTH);
      lateness.add('ten instances', latenessMs(post, scheduled[i].publishAt!));
    }
    for (const id of ids) await expectPublishedOnce(id, instances[0].url);
  }, 180_000);

  it('the only worker killed (SIGKILL) across publishAt: published once, late, when it is back', async () => {
    const api = await start('api', 'api');
    const worker = await start('worker', 'worker');
    const post = await schedule(api.url, 'crash-1', 1_500);
    await worker.kill('SIGKILL');
    const due = Date.parse(post.publishAt!);
    await waitFor('publishAt to pass with no worker running', () => Date.now() > due + 1_000, 10_000);
    // An api instance runs no publications.
    expect((await send(api.url, 'GET', '/posts/crash-1')).body.status).toBe('scheduled');

    const restarted = await start('worker-2', 'worker');
    const published = await publishedPost(api.url, 'crash-1', 20_000, AUTH);
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
    await stack.redis.stop('SIGKILL');
    await waitFor('publishAt of the second post to pass while Redis is down', () => Date.now() > Date.parse(across.publishAt!) + 500, 10_000);
    await stack.redis.start();

    for (const post of [before, across]) {
      const published = await publishedPost(api.url, post.id, 30_000, AUTH);
      lateness.add('after Redis restarted empty', latenessMs(published, post.publishAt!));
      expect(published.publishedAt).toBe(post.publishAt);
    }
    await expectPublishedOnce('redis-before', api.url);
    await expectPublishedOnce('redis-across', api.url);
  }, 120_000);
});
