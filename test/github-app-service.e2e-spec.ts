import request from 'supertest';
import { answeredDispatches, settled } from './support/deploy-harness';
import { FakeGithub } from './support/fake-github';
import { FakeGithubApp } from './support/fake-github-app';
import { killAllServices, ServiceProcess } from './support/processes';
import { DirectS3 } from './support/direct-s3';
import { API_TOKEN, productionEnv } from './support/resilience';
import { RunningApp, TestStack, startApp } from './support/stack';

/** The whole service authenticating as a GitHub App: edits become deploys, readiness says what the App may do. */
describe('the service with a GitHub App', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let app: FakeGithubApp;
  let running: RunningApp | undefined;

  const start = (overrides: Record<string, string> = {}) =>
    startApp(
      stack.config({
        ...app.env(),
        GITHUB_REPOSITORY: 'acme/blog',
        GITHUB_API_URL: github.url,
        DEPLOY_DEBOUNCE_MS: '100',
        DEPLOY_MAX_WAIT_MS: '1000',
        ...overrides,
      }),
    );

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
  });
  beforeEach(() => {
    app = new FakeGithubApp();
    github.app = app;
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    github.reset();
  });
  afterAll(async () => {
    await killAllServices();
    await github?.close();
    await stack?.stop();
  });

  it('dispatches a deploy with an installation token, and is ready with the App', async () => {
    running = await start();
    const api = request(running.url);
    await api.post('/authors').send({ id: 'ada', name: 'Ada' }).expect(201);
    const [dispatch] = await answeredDispatches(github, 1);
    expect(dispatch.headers.authorization).toBe(`Bearer ${app.latestToken()}`);
    const deployId = (dispatch.body as { client_payload: { deployId: string } }).client_payload.deployId;
    expect(await settled(running.url, deployId)).toMatchObject({ status: 'dispatched', attempts: 1, lastError: null });

    const ready = await api.get('/health/ready').expect(200);
    expect(ready.body.details.github).toMatchObject({
      status: 'up',
      state: 'ok',
      message: expect.stringMatching(/GitHub App's installation 4242 includes acme\/blog/),
    });
    const everything = JSON.stringify(ready.body) + JSON.stringify((await api.get('/deploys').expect(200)).body);
    for (const token of app.minted) expect(everything).not.toContain(token);
  });

  it('recovers a revoked installation token within the same attempt', async () => {
    running = await start();
    const api = request(running.url);
    await api.post('/authors').send({ id: 'ada', name: 'Ada' }).expect(201);
    await answeredDispatches(github, 1);
    app.revoke(app.latestToken()!);
    await api.patch('/authors/ada').send({ bio: 'after revocation' }).expect(200);
    const [, rejected, accepted] = await answeredDispatches(github, 3);
    expect([rejected.status, accepted.status]).toEqual([401, 204]);
    const deployId = (accepted.body as { client_payload: { deployId: string } }).client_payload.deployId;
    expect(await settled(running.url, deployId)).toMatchObject({ status: 'dispatched', attempts: 1 });
    expect(app.minted).toHaveLength(2);
  });

  it('dispatches a workflow through the App when DEPLOY_TRIGGER=workflow_dispatch', async () => {
    running = await start({ DEPLOY_TRIGGER: 'workflow_dispatch', DEPLOY_WORKFLOW: 'deploy.yml' });
    await request(running.url).post('/authors').send({ id: 'ada', name: 'Ada' }).expect(201);
    const [dispatch] = await answeredDispatches(github, 1);
    expect(dispatch).toMatchObject({ path: '/repos/acme/blog/actions/workflows/deploy.yml/dispatches', status: 200 });
    const deployId = (dispatch.body as { inputs: { deploy_id: string } }).inputs.deploy_id;
    const [run] = github.workflows.started;
    // The run GitHub named in its answer is kept on the deploy, for run tracking.
    expect(await settled(running.url, deployId)).toMatchObject({
      status: 'dispatched',
      run: {
        id: run.id,
        url: `https://github.com/acme/blog/actions/runs/${run.id}`,
        status: 'queued',
        conclusion: null,
      },
    });
  });

  it('stays ready but says the App is not installed on the repository, and editing works', async () => {
    app.repositories = new Set(['acme/other']);
    running = await start();
    const api = request(running.url);
    const ready = await api.get('/health/ready').expect(200);
    expect(ready.body.details.github).toMatchObject({
      status: 'degraded',
      state: 'error',
      message: expect.stringMatching(/GitHub App 31337 is not installed on acme\/blog/),
    });
    await api.post('/authors').send({ name: 'Grace Hopper' }).expect(201);
  });

  it('in production, logs at start what the App may do, and never a key, JWT or token', async () => {
    const env = productionEnv(stack, github, { GITHUB_TOKEN: undefined, ...app.env() });
    await new DirectS3(stack.s3, env.S3_BUCKET!).createBucket();
    const service = await ServiceProcess.start('app', env);
    const started = await service.waitForLog(/GitHub access/);
    expect(started.json).toMatchObject({
      level: 'info',
      msg: `GitHub access: The GitHub App's installation 4242 includes acme/blog with Contents: read & write (repository_dispatch) and Actions: read (following runs, DEPLOY_TRACK_RUNS): deploys can be dispatched.`,
    });
    await request(service.url)
      .post('/authors')
      .set('Authorization', `Bearer ${API_TOKEN}`)
      .send({ id: 'ada', name: 'Ada' })
      .expect(201);
    await answeredDispatches(github, 1);
    await service.waitForLog(/deploy \S+ dispatched/);
    await service.terminate();
    const logs = service.logs.map((line) => line.text).join('\n');
    expect(app.minted).toHaveLength(1);
    for (const token of app.minted) expect(logs).not.toContain(token);
    expect(logs).not.toMatch(/eyJ[\w-]+\.|PRIVATE KEY|MII[A-Za-z0-9+/]{8}/);
  });
});
