import { randomUUID } from 'node:crypto';
import { FakeGithub, RecordedRequest } from './support/fake-github';
import { killAllServices, logsOf, ServiceProcess } from './support/processes';
import {
  accepted,
  carrierOf,
  duplicateDispatches,
  Edit,
  Editor,
  payloadOf,
  productionEnv,
  uncarried,
} from './support/resilience';
import { DirectS3 } from './support/direct-s3';
import { TestStack } from './support/stack';
import { waitFor } from './support/wait-for';

const MARKER = 'deploys/last-dispatched.json';

/**
 * Redis outages and edits behind the service's back, with the built service in
 * separate processes: an `api` and an `all` instance on a redis-server without persistence, which the
 * test kills (SIGKILL: everything in it is lost) and restarts empty on the same port.
 */
describe('Redis outages and the reconcile pass', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let s3: DirectS3;
  let api: ServiceProcess;
  let all: ServiceProcess;
  let allEnv: Record<string, string | undefined>;
  const editor = new Editor();
  const timings: string[] = [];

  async function dispatchOf(edit: Edit, timeoutMs = 20_000): Promise<RecordedRequest> {
    return waitFor(
      `${edit.action} ${edit.kind} ${edit.id} to be dispatched`,
      () => carrierOf(edit, accepted(github)),
      timeoutMs,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${logsOf(api, all)}`);
    });
  }

  /** A change made with the AWS SDK, not through the API: the reconcile pass is all that can see it. */
  function direct(id: string, action: Edit['action'], at: number): Edit {
    return { kind: 'author', id, action, status: 200, sentAt: at, ackAt: at, since: at };
  }

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    const bucket = `redis-${randomUUID().slice(0, 8)}`;
    s3 = new DirectS3(stack.s3, bucket);
    await s3.createBucket();
    // A quiet window long enough to take Redis away while a change is still pending.
    const env = productionEnv(stack, github, {
      S3_BUCKET: bucket,
      DEPLOY_DEBOUNCE_MS: '1000',
      DEPLOY_MAX_WAIT_MS: '4000',
      DEPLOY_RECONCILE_MS: '1000',
    });
    allEnv = { ...env, APP_ROLE: 'all' };
    [api, all] = await Promise.all([
      ServiceProcess.start('api', { ...env, APP_ROLE: 'api' }),
      ServiceProcess.start('all', allEnv),
    ]);
    // The first start finds no record of a previous dispatch and takes the (empty) bucket as its baseline.
    await all.waitForLog(/is the baseline/);
  });

  afterAll(async () => {
    await killAllServices();
    process.stdout.write(
      `[resilience-redis] ${timings.join('; ')}; duplicate dispatches: ${duplicateDispatches(github)}\n`,
    );
    s3?.close();
    await github?.close();
    await stack?.stop();
  });

  it('an author written and then deleted directly in S3 is deployed by the reconcile pass', async () => {
    const written = Date.now();
    await s3.putJson('authors/direct-1.json', {
      id: 'direct-1',
      name: 'Written by another tool',
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    const dispatch = await dispatchOf(direct('direct-1', 'created', written));
    expect(payloadOf(dispatch)).toMatchObject({
      reason: 'reconcile',
      changes: [expect.objectContaining({ kind: 'author', id: 'direct-1', action: 'created' })],
    });
    timings.push(`direct S3 write -> reconcile dispatch ${dispatch.startedAt - written} ms`);

    const deleted = Date.now();
    await s3.delete('authors/direct-1.json');
    expect(payloadOf(await dispatchOf(direct('direct-1', 'deleted', deleted)))).toMatchObject({
      reason: 'reconcile',
      changes: [expect.objectContaining({ id: 'direct-1', action: 'deleted' })],
    });
  });

  it('Redis killed and restarted empty while a change is pending: the change goes out with reason "reconcile"', async () => {
    const before = accepted(github).length;
    const edit = await editor.save(api.url, 'lost-in-redis', 'pending when Redis dies');
    expect(edit.status).toBe(201);
    await stack.redis.stop('SIGKILL');
    expect(accepted(github)).toHaveLength(before); // it was still inside its quiet window

    // While Redis is away: readiness says so, and a write is refused before anything reaches S3.
    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
    const refused = await editor.save(api.url, 'refused-1', 'while Redis is down');
    expect(refused.status).toBe(503);
    expect(await s3.exists('authors/refused-1.json')).toBe(false);

    await stack.redis.start();
    const restartedAt = Date.now();
    const dispatch = await dispatchOf(edit);
    expect(payloadOf(dispatch).reason).toBe('reconcile');
    timings.push(`Redis restart (empty) -> reconcile dispatch ${dispatch.startedAt - restartedAt} ms`);
    await waitFor('readiness to recover', async () => (await fetch(`${api.url}/health/ready`)).ok);
  });

  it('after the restart the worker takes new jobs again without being restarted (bullmq#2466)', async () => {
    const edit = await editor.save(all.url, 'after-restart', 'first change after the restart');
    expect(edit.status).toBe(201);
    const dispatch = await dispatchOf(edit);
    // Through the queue, not the reconcile pass: the worker's own connections came back.
    expect(payloadOf(dispatch)).toMatchObject({
      reason: 'changes',
      changes: [expect.objectContaining({ id: 'after-restart', action: 'created' })],
    });
  });

  it('a change Redis lost is listed by the next dispatch even when a new edit reaches the queue first', async () => {
    const lost = await editor.save(api.url, 'lost-again', 'pending when Redis dies');
    expect(lost.status).toBe(201);
    // The worker instance (the only one with a reconcile pass) is away while Redis is wiped and the new edit is
    // made, so the new edit surely reaches the queue first; a reconcile pass that ran earlier would deploy the
    // lost change on its own, which is right too, but is not what this test is about.
    await all.kill('SIGKILL');
    expect(carrierOf(lost, accepted(github))).toBeUndefined(); // it was still inside its quiet window
    await stack.redis.stop('SIGKILL');
    await stack.redis.start();
    const next = await waitFor('a write to be accepted again', async () => {
      const edit = await editor.save(api.url, 'first-after-wipe', 'written after the wipe');
      return edit.status < 300 ? edit : undefined;
    });
    // Its pending deploy keeps the reconcile pass of the worker started now out (that deploy "will move the marker itself").
    all = await ServiceProcess.start('all', allEnv);
    const dispatch = await dispatchOf(next);
    // That dispatch deploys everything in S3, so it must also name the change it deploys for the first time.
    expect(
      payloadOf(dispatch)
        .changes.map((c) => c.id)
        .sort(),
    ).toEqual(['first-after-wipe', 'lost-again']);
    expect(carrierOf(lost, accepted(github))).toBe(dispatch);
  });

  it('Redis down for a few seconds during a stream of writes: each write is refused with 503 or ends up dispatched', async () => {
    const stream = [api.url, all.url].map((url, n) => {
      let stop = false;
      const done = (async () => {
        for (let i = 0; !stop; i++) await editor.save(url, `stream-${n}-${i % 4}`, `write ${i}`);
      })();
      return { done, stop: () => (stop = true) };
    });
    const first = editor.edits.length;
    /** What the writers saw since the stream began, for a failure message: status, and when the answer came. */
    const seen = () =>
      editor.edits
        .slice(first)
        .map((e) => `${e.status}@${e.ackAt - editor.edits[first].sentAt}ms(${e.ackAt - e.sentAt}ms)`)
        .join(' ');
    try {
      await waitFor('some writes before the outage', () => editor.acknowledged().length >= first + 6);
      await stack.redis.stop('SIGKILL');
      // Down for about two seconds of refused writes, on both instances.
      await waitFor(
        'two seconds of writes refused during the outage',
        () => {
          const refused = editor.edits.slice(first).filter((e) => e.status === 503);
          return refused.length > 0 && Date.now() - refused[0].ackAt > 2_000;
        },
        10_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; the writers saw: ${seen()}\n${logsOf(api, all)}`);
      });
      await stack.redis.start();
      await waitFor(
        'writes acknowledged after the outage',
        () => editor.edits.slice(-4).every((e) => e.status < 300),
        10_000,
      );
    } finally {
      // Also when a wait above fails: writers left running would keep the test process busy forever.
      stream.forEach((s) => s.stop());
      await Promise.all(stream.map((s) => s.done));
    }

    const statuses = new Set(editor.edits.slice(first).map((e) => e.status));
    expect([...statuses].filter((s) => !(s === 200 || s === 201 || s === 503))).toEqual([]);
    await waitFor(
      'every acknowledged write to be dispatched',
      () => uncarried(editor.edits, github).length === 0,
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(uncarried(editor.edits, github))}\n${logsOf(api, all)}`);
    });
  });

  it('no two dispatches overlapped, and the record in S3 names the last dispatch', async () => {
    expect(github.maxConcurrentDispatches).toBe(1);
    await waitFor('the marker to name the last dispatch', async () => {
      const last = accepted(github).at(-1)!;
      return (await s3.readJson<{ deployId: string }>(MARKER))?.deployId === payloadOf(last).deployId;
    });
  });
});
