import { Queue } from 'bullmq';
import { DEPLOY_QUEUE } from '../src/deploy/deploy.constants';
import { ServiceProcess, killAllServices, logsOf } from './support/processes';
import { RunTrackingWorld, call, deployIn, editAndDispatch } from './support/run-tracking-harness';
import { waitFor } from './support/wait-for';

/** Following each deploy's GitHub Actions run by polling, across failures, replacements and crashes. */
describe('run tracking (polling)', () => {
  let world: RunTrackingWorld;
  let service: ServiceProcess;

  beforeAll(async () => {
    world = await RunTrackingWorld.start();
    service = await world.service('poller', 'poll');
  });

  afterAll(async () => {
    await killAllServices();
    await world?.stop();
  });

  afterEach(() => {
    world.actions.plans.length = 0;
    world.actions.cancelInProgress = false;
  });

  it('success: dispatched -> building -> live, with the run on the deploy and in the deploy status', async () => {
    const requestsBefore = world.github.requests.length;
    const deployId = await editAndDispatch(service, world.github, 'ada', 'first');
    const live = await deployIn(service, deployId, ['live']);
    const run = world.actions.runOf(deployId)!;
    expect(live.run).toEqual({
      id: run.id,
      url: `https://github.com/acme/blog/actions/runs/${run.id}`,
      status: 'completed',
      conclusion: 'success',
      startedAt: run.startedAt,
      completedAt: run.updatedAt,
    });
    expect(live.lastError).toBeNull();
    const status = await call(service, 'GET', '/authors/ada/deploy-status');
    expect(status.body).toEqual({ state: 'live', deployId, runUrl: live.run!.url, since: run.updatedAt });

    const queue = new Queue(DEPLOY_QUEUE, { connection: { url: world.stack.redis.url }, prefix: 'poll' });
    try {
      const job = await waitFor('the run on the dashboard job', async () =>
        (await queue.getJobs(['completed'])).find((j) => j.data.deployId === deployId && j.data.runStatus === 'live'),
      );
      expect(job.data.run).toBe(live.run!.url);
    } finally {
      await queue.close();
    }

    const asked = world.github.requests.slice(requestsBefore).filter((r) => r.path.includes('/actions/runs'));
    const notModified = asked.filter((r) => r.status === 304).length;
    process.stdout.write(
      `GitHub requests to follow one deploy by polling (250 ms run, 250 ms cadence): ${asked.length}, of which ${notModified} answered 304\n`,
    );
    expect(asked.every((r) => r.path.includes('event=repository_dispatch') && r.path.includes('created=%3E%3D'))).toBe(
      true,
    );
  });

  it('failure: build-failed with the run log in lastError, one notice; the next success sends one recovery notice', async () => {
    world.actions.plan({ conclusion: 'failure' });
    const failedId = await editAndDispatch(service, world.github, 'ada', 'breaks the build');
    const failed = await deployIn(service, failedId, ['build-failed']);
    expect(failed.lastError).toContain(failed.run!.url);
    expect((await call<{ state: string }>(service, 'GET', '/authors/ada/deploy-status')).body).toMatchObject({
      state: 'failed',
      deployId: failedId,
    });
    await waitFor('the failure notice', () => world.notices.about(failedId).length === 1);
    expect(world.notices.about(failedId)[0]).toEqual({
      text: expect.stringContaining(`deploy ${failedId}`),
      deployId: failedId,
      status: 'build-failed',
      lastError: failed.lastError,
      runUrl: failed.run!.url,
    });

    const fixedId = await editAndDispatch(service, world.github, 'ada', 'fixed');
    await deployIn(service, fixedId, ['live']);
    await waitFor('the recovery notice', () => world.notices.about(fixedId).length === 1);
    expect(world.notices.about(fixedId)[0]).toMatchObject({
      status: 'live',
      lastError: null,
      text: expect.stringMatching(/work again/),
    });
    expect(world.notices.about(failedId)).toHaveLength(1);
  });

  it('a refused dispatch: failed, and one notice that says why', async () => {
    world.github.respond('dispatch', {
      status: 401,
      body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
    });
    const before = world.github.dispatches().length;
    expect((await call(service, 'PATCH', '/authors/ada', { bio: 'refused' })).status).toBe(200);
    const refused = await waitFor(
      'the refused dispatch',
      () => world.github.dispatches().filter((d) => d.status === 401)[0],
    );
    expect(world.github.dispatches().length).toBe(before + 1);
    const deployId = (refused.body as { client_payload: { deployId: string } }).client_payload.deployId;
    const failed = await deployIn(service, deployId, ['failed']);
    await waitFor('the failure notice', () => world.notices.about(deployId).length === 1);
    expect(world.notices.about(deployId)[0]).toEqual({
      text: expect.stringMatching(/^Deploy .* failed\. GitHub rejected the token/),
      deployId,
      status: 'failed',
      lastError: failed.lastError,
      runUrl: null,
    });
  });

  it("superseded: a waiting run replaced by a newer deploy's run; the newer one decides", async () => {
    world.actions.plan('manual');
    const olderId = await editAndDispatch(service, world.github, 'grace', 'older');
    await deployIn(service, olderId, ['building']);
    const newerId = await editAndDispatch(service, world.github, 'ada', 'newer');
    expect(world.actions.runOf(olderId)).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    const older = await deployIn(service, olderId, ['superseded']);
    expect(older.run!.conclusion).toBe('cancelled');
    const newer = await deployIn(service, newerId, ['live']);
    expect((await call(service, 'GET', '/authors/grace/deploy-status')).body).toMatchObject({
      state: 'live',
      deployId: newerId,
      runUrl: newer.run!.url,
    });
    expect(world.notices.about(olderId)).toEqual([]);
  });

  it('POST /webhooks/github is 404 while GITHUB_WEBHOOK_SECRET is not set', async () => {
    const response = await fetch(`${service.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'ping' },
      body: '{}',
    });
    expect(response.status).toBe(404);
  });

  it('deploy status: 404 for a missing entity, not-on-site for a draft', async () => {
    expect((await call(service, 'GET', '/posts/nope/deploy-status')).status).toBe(404);
    expect(
      (await call(service, 'POST', '/posts', { id: 'draft-one', title: 'Draft', body: 'x', authorIds: ['ada'] }))
        .status,
    ).toBe(201);
    expect((await call(service, 'GET', '/posts/draft-one/deploy-status')).body).toEqual({
      state: 'not-on-site',
      deployId: null,
      runUrl: null,
      since: null,
    });
  });

  it('a run that never shows up: the deploy stays dispatched with a lastError saying how to name the run', async () => {
    const shortLived = await world.service('short', 'short', { DEPLOY_RUN_TIMEOUT_MS: '3000' });
    world.actions.plan('unnamed');
    const deployId = await editAndDispatch(shortLived, world.github, 'ada', 'unnamed run');
    const stuck = await waitFor('the lastError', async () => {
      const deploy = (
        await call<{ status: string; lastError: string | null; run: unknown }>(
          shortLived,
          'GET',
          `/deploys/${deployId}`,
        )
      ).body;
      return deploy.lastError ? deploy : undefined;
    });
    expect(stuck).toMatchObject({ status: 'dispatched', run: null });
    expect(stuck.lastError).toContain('run-name: deploy ${{ github.event.client_payload.deployId }}');
    await shortLived.terminate();
  });

  it('workflow_dispatch: the run is known from the dispatch itself and followed to live', async () => {
    const wf = await world.service('workflow', 'wf', {
      DEPLOY_TRIGGER: 'workflow_dispatch',
      DEPLOY_WORKFLOW: 'deploy.yml',
    });
    world.actions.plan('manual');
    const deployId = await editAndDispatch(wf, world.github, 'ada', 'by workflow');
    const runId = world.github.workflows.started.at(-1)!.id;
    const dispatched = await deployIn(wf, deployId, ['dispatched', 'building']);
    expect(dispatched.run).toMatchObject({ id: runId, url: `https://github.com/acme/blog/actions/runs/${runId}` });
    world.actions.start(runId);
    world.actions.complete(runId, 'success');
    expect((await deployIn(wf, deployId, ['live'])).run).toMatchObject({ id: runId, conclusion: 'success' });
    await wf.terminate();
  });

  it('kill -9 while the run builds: another instance picks up the tracking and the deploy still goes live', async () => {
    const doomed = await world.service('doomed', 'crash');
    world.actions.plan('manual');
    const deployId = await editAndDispatch(doomed, world.github, 'ada', 'crash');
    const run = await waitFor('the run', () => world.actions.runOf(deployId));
    world.actions.start(run.id);
    await waitFor(
      'the building run on the deploy',
      async () =>
        (await call<{ run: { status: string } | null }>(doomed, 'GET', `/deploys/${deployId}`)).body.run?.status ===
        'in_progress',
    );
    // While nothing changes, polls are conditional and answered 304 (free of rate limit).
    const since = world.github.requests.length;
    await waitFor('a 304', () =>
      world.github.requests
        .slice(since)
        .some((r) => r.path.includes('/actions/runs?') && r.status === 304 && r.headers['if-none-match']),
    );
    await doomed.kill('SIGKILL');
    world.actions.complete(run.id, 'success');
    const successor = await world.service('successor', 'crash');
    try {
      expect((await deployIn(successor, deployId, ['live'])).run!.conclusion).toBe('success');
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${logsOf(doomed, successor)}`, { cause: error });
    }
  });
});
