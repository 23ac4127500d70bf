import { randomUUID } from 'node:crypto';
import { FakeGithub, RecordedRequest } from './support/fake-github';
import { killAllServices, logsOf, ServiceProcess } from './support/processes';
import {
  accepted,
  carrierOf,
  duplicateDispatches,
  Edit,
  Editor,
  getJson,
  payloadOf,
  productionEnv,
} from './support/resilience';
import { DirectS3 } from './support/direct-s3';
import { TestStack } from './support/stack';
import { waitFor } from './support/wait-for';

/**
 * Worker crashes and graceful stops (issue 4), with the built service in separate processes: an `api`
 * instance takes the edits, `worker` instances are killed with SIGKILL (no chance to clean up) or stopped
 * with SIGTERM. A change may be dispatched twice (counted), never lost.
 */
describe('worker crashes and shutdown', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let s3: DirectS3;
  let env: Record<string, string | undefined>;
  let api: ServiceProcess;
  const editor = new Editor();
  const timings: string[] = [];

  const startWorker = (name: string) => ServiceProcess.start(name, { ...env, APP_ROLE: 'worker' });

  /** The accepted dispatch carrying `edit` (waits for it), with the instances' logs on a timeout. */
  async function dispatchOf(edit: Edit, ...logs: ServiceProcess[]): Promise<RecordedRequest> {
    expect(edit.status).toBeLessThan(300);
    return waitFor('the edit to be dispatched', () => carrierOf(edit, accepted(github)), 40_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${logsOf(api, ...logs)}`);
      },
    );
  }

  /**
   * Waits until no deploy is pending or in flight and the record in S3 names the newest one, so the next
   * test's hold catches its own dispatch. (A deploy resumed after a crash has no snapshot from before its
   * claim and leaves the record behind: the reconcile pass then sends one more deploy, by design.)
   */
  async function quiet(...logs: ServiceProcess[]): Promise<void> {
    await waitFor(
      'every deploy to be finished and recorded in S3',
      async () => {
        const { body } = await getJson<{ items: { id: string; status: string }[] }>(api.url, '/deploys?limit=100');
        if (!body.items.every((d) => ['dispatched', 'failed'].includes(d.status))) return false;
        return (
          (await s3.readJson<{ deployId: string }>('deploys/last-dispatched.json'))?.deployId === body.items[0]?.id
        );
      },
      40_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${logsOf(api, ...logs)}`);
    });
  }

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    const bucket = `crash-${randomUUID().slice(0, 8)}`;
    s3 = new DirectS3(stack.s3, bucket);
    await s3.createBucket();
    env = productionEnv(stack, github, { S3_BUCKET: bucket });
    api = await ServiceProcess.start('api', { ...env, APP_ROLE: 'api' });
  });

  afterAll(async () => {
    await killAllServices();
    const reconciles = accepted(github).filter((d) => payloadOf(d).reason === 'reconcile').length;
    if (timings.length)
      process.stdout.write(
        `[resilience-crash] ${timings.join('; ')}; duplicate dispatches of a deploy: ${duplicateDispatches(github)}; reconcile deploys (re-sending what a resumed deploy sent): ${reconciles}\n`,
      );
    s3?.close();
    await github?.close();
    await stack?.stop();
  });

  it('kill -9 of the worker with a deploy pending: a worker started afterwards dispatches it', async () => {
    const worker = await startWorker('worker-a');
    const edit = await editor.save(api.url, 'pending-1', 'pending when the worker dies');
    expect(await worker.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();
    expect(accepted(github)).toHaveLength(0); // still inside its quiet window when the worker died

    const next = await startWorker('worker-b');
    const dispatch = await dispatchOf(edit, worker, next);
    timings.push(
      `pending deploy: worker kill -> dispatch ${dispatch.startedAt - killedAt} ms (includes starting the new worker)`,
    );
    await quiet(next);
    await next.kill('SIGKILL');
  });

  it('kill -9 of the worker while GitHub holds its dispatch open: a new worker dispatches the change', async () => {
    const worker = await startWorker('worker-c');
    const hold = github.hold('dispatch');
    const edit = await editor.save(api.url, 'held-1', 'in flight when the worker dies');
    const held = await hold.arrived;
    await worker.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor('the held request to be dropped by the dead worker', () => held.endedAt !== undefined);
    expect(held.status).toBeUndefined(); // GitHub may or may not have acted on it: the change must go out again

    const next = await startWorker('worker-d');
    const dispatch = await dispatchOf(edit, worker, next);
    expect(dispatch).not.toBe(held);
    expect(github.maxConcurrentDispatches).toBe(1);
    timings.push(
      `held dispatch: worker kill -> dispatch ${dispatch.startedAt - killedAt} ms (lock expiry + stalled check)`,
    );
    hold.release();
    await quiet(next);
    await next.kill('SIGKILL');
  });

  it('kill -9 of the worker right after GitHub accepted the dispatch: the change is not lost (at most sent twice)', async () => {
    const worker = await startWorker('worker-e');
    const hold = github.hold('dispatch');
    const edit = await editor.save(api.url, 'after-1', 'accepted just before the worker dies');
    const held = await hold.arrived;
    expect(carrierOf(edit, [held])).toBe(held);
    hold.release({ status: 204 });
    await waitFor('GitHub to have answered 204', () => held.status === 204);
    await worker.kill('SIGKILL'); // before or after the worker recorded the result: either must end well
    const killedAt = Date.now();
    const next = await startWorker('worker-f');
    const deployId = (held.body as { client_payload: { deployId: string } }).client_payload.deployId;
    // Settled: the deploy GitHub accepted is recorded as dispatched, by the dead worker or by its successor.
    await waitFor(
      'the accepted deploy to be recorded',
      async () => (await getJson<{ status: string }>(api.url, `/deploys/${deployId}`)).body.status === 'dispatched',
      40_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${logsOf(api, worker, next)}`);
    });
    expect(carrierOf(edit, accepted(github))).toBeDefined();
    const resent = accepted(github).filter((d) => d !== held && d.startedAt > killedAt);
    timings.push(
      `accepted then killed: ${resent.length} re-dispatch(es)${resent.length ? ` after ${resent[0].startedAt - killedAt} ms` : ''}`,
    );
    await quiet(next);
    await next.kill('SIGKILL');
  });

  it('SIGTERM during an in-flight dispatch: no new connections, the dispatch completes, exit code 0', async () => {
    const instance = await ServiceProcess.start('all-g', { ...env, APP_ROLE: 'all' });
    const hold = github.hold('dispatch');
    const edit = await editor.save(instance.url, 'sigterm-1', 'in flight at SIGTERM');
    const held = await hold.arrived;
    const exit = instance.terminate();
    await instance.waitForLog(/SIGTERM received/);
    // The listening socket is closed at once, while the dispatch is still being held open.
    await waitFor('new connections to be refused', async () =>
      fetch(`${instance.url}/health`).then(
        () => false,
        () => true,
      ),
    );
    expect(instance.alive).toBe(true);
    expect(held.endedAt).toBeUndefined();

    hold.release({ status: 204 });
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(held.status).toBe(204);
    expect(carrierOf(edit, accepted(github))).toBe(held);
    const deployId = (held.body as { client_payload: { deployId: string } }).client_payload.deployId;
    const { body } = await getJson<{ status: string; attempts: number }>(api.url, `/deploys/${deployId}`);
    expect(body).toMatchObject({ status: 'dispatched', attempts: 1 });
    const messages = instance.messages();
    expect(messages.indexOf(messages.find((m) => /dispatched/.test(m))!)).toBeLessThan(
      messages.indexOf('shutdown complete'),
    );
  });

  it('no two dispatches were ever in flight at once', () => {
    expect(github.maxConcurrentDispatches).toBe(1);
  });
});
