import { randomUUID } from 'node:crypto';
import { FakeGithub } from './support/fake-github';
import { killAllServices, logsOf, ServiceProcess } from './support/processes';
import { accepted, Editor, getJson, payloadOf, productionEnv, redisKeys, uncarried } from './support/resilience';
import { DirectS3 } from './support/direct-s3';
import { TestStack } from './support/stack';
import { waitFor } from './support/wait-for';

interface DeployView {
  id: string;
  status: string;
  reason: string;
  scheduledFor: string | null;
}
const FINAL = ['dispatched', 'failed', 'dry-run'];

/**
 * Scale-out (issue 4): instances of the built service with different APP_ROLEs, in separate processes on one
 * Redis (with a Cluster hash-tag QUEUE_PREFIX) and one bucket, behave as one service.
 */
describe('scale-out: api, api and all instances on one Redis and bucket', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let s3: DirectS3;
  let env: Record<string, string | undefined>;
  let api1: ServiceProcess;
  let api2: ServiceProcess;
  let all: ServiceProcess;
  let worker: ServiceProcess | undefined;
  const editor = new Editor();

  /** Waits until no deploy is pending or in flight and every acknowledged edit was dispatched. */
  async function settled(): Promise<DeployView[]> {
    return waitFor('every acknowledged edit dispatched and no deploy pending', async () => {
      if (uncarried(editor.edits, github).length > 0) return undefined;
      const { body } = await getJson<{ items: DeployView[] }>(api1.url, '/deploys?limit=100');
      return body.items.every((d) => FINAL.includes(d.status)) ? body.items : undefined;
    });
  }

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    const bucket = `scale-${randomUUID().slice(0, 8)}`;
    s3 = new DirectS3(stack.s3, bucket);
    await s3.createBucket();
    // A quiet window wide enough that a burst spread over three instances stays one burst on a loaded machine.
    env = productionEnv(stack, github, {
      S3_BUCKET: bucket,
      QUEUE_PREFIX: '{blog}',
      DEPLOY_DEBOUNCE_MS: '1000',
      DEPLOY_MAX_WAIT_MS: '8000',
    });
    [api1, api2, all] = await Promise.all([
      ServiceProcess.start('api-1', { ...env, APP_ROLE: 'api' }),
      ServiceProcess.start('api-2', { ...env, APP_ROLE: 'api' }),
      ServiceProcess.start('all-1', { ...env, APP_ROLE: 'all' }),
    ]);
  });

  afterAll(async () => {
    await killAllServices();
    s3?.close();
    await github?.close();
    await stack?.stop();
  });

  it('a burst of edits spread over all three instances gives exactly one dispatch, never two in flight', async () => {
    github.delayMs = 300; // a dispatch that takes a while, so an overlapping second one would show
    const urls = [api1.url, api2.url, all.url];
    // Three clients, one per instance, each editing its own and shared authors back to back (well inside the quiet window).
    await Promise.all(
      urls.map(async (url, n) => {
        for (let i = 0; i < 8; i++) await editor.save(url, `author-${(n + i) % 5}`, `burst 1, client ${n}, edit ${i}`);
      }),
    );
    expect(editor.edits.map((e) => e.status)).toEqual(Array(24).fill(expect.any(Number)));
    expect(editor.acknowledged()).toHaveLength(24);

    const deploys = await settled().catch((error: Error) => {
      throw new Error(`${error.message}\n${logsOf(api1, api2, all)}`);
    });
    expect(github.dispatches()).toHaveLength(1);
    expect(github.maxConcurrentDispatches).toBe(1);
    expect(deploys).toHaveLength(1);
    const payload = payloadOf(accepted(github)[0]);
    expect(payload).toMatchObject({
      deployId: deploys[0].id,
      reason: 'changes',
      changeCount: 5,
      editCount: 24,
      truncated: false,
    });
  });

  it('with QUEUE_PREFIX={blog}, every key the service wrote to Redis starts with "{blog}:"', async () => {
    const keys = await redisKeys(stack.redis.url);
    // The queue (BullMQ), the deploy records and the content index are all there...
    expect(keys.some((k) => k.startsWith('{blog}:deploy:'))).toBe(true);
    expect(keys.some((k) => k.startsWith('{blog}:deploys:'))).toBe(true);
    expect(keys.some((k) => k.startsWith('{blog}:content:'))).toBe(true);
    // ...and nothing outside the hash tag, so all of it lands in one Redis Cluster slot.
    expect(keys.filter((k) => !k.startsWith('{blog}:'))).toEqual([]);
  });

  it('an APP_ROLE=worker instance answers only the health probes', async () => {
    worker = await ServiceProcess.start('worker-1', { ...env, APP_ROLE: 'worker' });
    const auth = { authorization: `Bearer ${env.API_TOKENS}` };
    expect((await fetch(`${worker.url}/health`)).status).toBe(200);
    expect((await fetch(`${worker.url}/health/ready`)).status).toBe(200);
    for (const path of ['/authors', '/posts', '/deploys', '/docs', '/docs-json', '/admin/queues']) {
      expect({ path, status: (await fetch(`${worker.url}${path}`, { headers: auth })).status }).toEqual({
        path,
        status: 404,
      });
    }
    const post = await fetch(`${worker.url}/authors`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"name":"X"}',
    });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ statusCode: 404, message: expect.stringContaining('APP_ROLE=worker') });
  });

  it('with two workers (all + worker) a second burst still gives exactly one more dispatch', async () => {
    const before = github.dispatches().length;
    await Promise.all(
      [api1.url, api2.url].map(async (url, n) => {
        for (let i = 0; i < 6; i++) await editor.save(url, `author-${(n + i) % 3}`, `burst 2, client ${n}, edit ${i}`);
      }),
    );
    const deploys = await settled().catch((error: Error) => {
      throw new Error(`${error.message}\n${logsOf(api1, api2, all, worker)}`);
    });
    expect(github.dispatches()).toHaveLength(before + 1);
    expect(github.maxConcurrentDispatches).toBe(1);
    expect(deploys).toHaveLength(2);
  });

  it('api-only instances record a change but never dispatch it: it waits for a worker, then goes out', async () => {
    // Graceful stops of both workers: exit code 0.
    expect(await all.terminate()).toEqual({ code: 0, signal: null });
    expect(await worker!.terminate()).toEqual({ code: 0, signal: null });
    const before = github.dispatches().length;
    const edit = await editor.save(api1.url, 'author-0', 'waits for a worker');
    expect(edit.status).toBe(200);
    const pending = await waitFor('the pending deploy to be due', async () => {
      const { body } = await getJson<{ items: DeployView[] }>(api1.url, '/deploys?limit=1');
      const [latest] = body.items;
      return latest.status === 'pending' && Date.parse(latest.scheduledFor!) + 1_000 < Date.now() ? latest : undefined;
    });
    // Due for a second already and still pending: nothing in an api instance dispatches.
    expect(github.dispatches()).toHaveLength(before);
    const started = Date.now();
    worker = await ServiceProcess.start('worker-2', { ...env, APP_ROLE: 'worker' });
    await settled();
    expect(github.dispatches()).toHaveLength(before + 1);
    expect(payloadOf(github.dispatches()[before]).deployId).toBe(pending.id);
    process.stdout.write(
      `[resilience-scale] pending deploy dispatched ${Date.now() - started} ms after a worker was started\n`,
    );
  });

  it('S3 always matched what was dispatched: no reconcile deploy happened, every dispatch is its own deploy', async () => {
    const { body } = await getJson<{ items: DeployView[] }>(api1.url, '/deploys?limit=100');
    expect(body.items.map((d) => d.reason)).toEqual(['changes', 'changes', 'changes']);
    expect(new Set(accepted(github).map((d) => payloadOf(d).deployId)).size).toBe(github.dispatches().length);
    expect(uncarried(editor.edits, github)).toEqual([]);
  });

  it('api instances stop cleanly too: SIGINT and SIGTERM both end with exit code 0', async () => {
    expect(await api2.kill('SIGINT')).toEqual({ code: 0, signal: null });
    expect(await api1.terminate()).toEqual({ code: 0, signal: null });
    expect(api1.messages()).toContain('shutdown complete');
  });
});
