import request from 'supertest';
import { DeployWatchdog } from '../src/deploy/deploy-watchdog';
import type { Deploy } from '../src/deploy/deploy.types';
import { Reconciler } from '../src/deploy/reconciler';
import { FakeGithub } from './support/fake-github';
import { answeredDispatches, bodyOf, deploysOf, startDeployingApp } from './support/deploy-harness';
import { RunningApp, TestStack } from './support/stack';
import { waitFor } from './support/wait-for';

const rejected = { status: 401, body: { message: 'Bad credentials' } };

/** A deploy GitHub refused keeps its changes in a held deploy; an edit, POST /deploys or a restart sends them. */
describe('deploys: held after a failure, and what releases them', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let running: RunningApp;
  const env = { DEPLOY_DEBOUNCE_MS: '100', DEPLOY_MAX_WAIT_MS: '1000' };
  const api = () => request(running.url);
  const heldDeploy = () =>
    waitFor('a held deploy', async () => (await deploysOf(running.url)).find((d) => d.status === 'held'));

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    running = await startDeployingApp(stack, github, env);
    await api().post('/authors').send({ id: 'ada', name: 'Ada' }).expect(201);
    await answeredDispatches(github, 1);
    github.reset();
  });

  afterAll(async () => {
    await running?.close();
    await Promise.all([stack?.stop(), github?.close()]);
  });

  /** Makes the next dispatch fail with 401, so `id`'s edit ends up held. */
  async function holdAnEdit(id: string): Promise<Deploy> {
    github.respond('dispatch', rejected);
    await api().patch('/authors/ada').send({ bio: id }).expect(200);
    const held = await heldDeploy();
    expect(held).toMatchObject({
      status: 'held',
      scheduledFor: null,
      changes: [expect.objectContaining({ id: 'ada' })],
    });
    return held;
  }

  it('stays held: no dispatch, no reconcile deploy, while nothing releases it', async () => {
    const held = await holdAnEdit('first');
    const dispatches = github.dispatches().length;
    // Reconcile passes and watchdog checks leave it alone: nothing retries against a rejected token.
    for (let pass = 0; pass < 3; pass++) {
      expect((await running.app.get(Reconciler).reconcile()).outcome).toBe('deploy-pending');
      await running.app.get(DeployWatchdog).check();
    }
    expect((await api().get(`/deploys/${held.id}`).expect(200)).body).toMatchObject({
      status: 'held',
      scheduledFor: null,
    });
    expect(github.dispatches()).toHaveLength(dispatches);
  });

  it('is sent by a manual deploy (POST /deploys), which takes it over rather than adding another deploy', async () => {
    const held = (await deploysOf(running.url)).find((d) => d.status === 'held')!;
    const { body } = await api().post('/deploys').send({ reason: 'token fixed' }).expect(202);
    expect(body).toMatchObject({ id: held.id, status: 'pending', reason: 'manual', lastError: null });
    const sent = (await answeredDispatches(github, github.dispatches().length + 1)).at(-1)!;
    expect(bodyOf(sent).client_payload.deployId).toBe(held.id);
  });

  it('is sent by the next edit', async () => {
    github.reset();
    const held = await holdAnEdit('second');
    await api().post('/authors').send({ id: 'bea', name: 'Bea' }).expect(201);
    const [, sent] = await answeredDispatches(github, 2);
    expect(bodyOf(sent).client_payload.deployId).toBe(held.id);
    expect(
      bodyOf(sent)
        .client_payload.changes.map((c) => c.id)
        .sort(),
    ).toEqual(['ada', 'bea']);
  });

  it('is sent at the next start of the service', async () => {
    github.reset();
    const held = await holdAnEdit('third');
    await running.close();
    running = await startDeployingApp(stack, github, { ...env, S3_BUCKET: running.config.s3.bucket });
    const [, sent] = await answeredDispatches(github, 2);
    expect(bodyOf(sent).client_payload.deployId).toBe(held.id);
  });
});
