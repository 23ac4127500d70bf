import request from 'supertest';
import { FakeGithub } from './support/fake-github';
import { RunningApp, TestStack, startApp } from './support/stack';

const TOKEN = 'ghp_healthTestToken0123456789abcdefghij';

/** /health/ready reports GitHub access but never fails readiness on it: editing works whatever GitHub does. */
describe('readiness reports GitHub access', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let running: RunningApp | undefined;

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    github.reset();
  });
  afterAll(async () => {
    await github?.close();
    await stack?.stop();
  });

  const withToken = () => ({ GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/blog', GITHUB_API_URL: github.url });

  it('is up when the token can push', async () => {
    running = await startApp(stack.config(withToken()));
    const ready = await request(running.url).get('/health/ready').expect(200);
    expect(ready.body.details.github).toMatchObject({
      status: 'up',
      state: 'ok',
      message: expect.stringMatching(/can push to acme\/blog/),
    });
    expect(github.requests.filter((r) => r.route === 'repo')).toHaveLength(1); // the start-up check, reused
  });

  it('stays ready (200, degraded) with a rejected token, and says what to fix', async () => {
    github.respond('repo', { status: 401, body: { message: 'Bad credentials' } });
    running = await startApp(stack.config(withToken()));
    const ready = await request(running.url).get('/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({ redis: { status: 'up' }, s3: { status: 'up' } });
    expect(ready.body.details.github).toMatchObject({
      status: 'degraded',
      state: 'error',
      message: expect.stringMatching(/401 Bad credentials.*GITHUB_TOKEN/),
    });
    expect(JSON.stringify(ready.body)).not.toContain(TOKEN);
    // Editing still works.
    await request(running.url).post('/authors').send({ name: 'Ada Lovelace' }).expect(201);
  });

  it('is degraded when the token cannot push', async () => {
    github.permissions = { push: false, pull: true };
    running = await startApp(stack.config(withToken()));
    const ready = await request(running.url).get('/health/ready').expect(200);
    expect(ready.body.details.github).toMatchObject({
      status: 'degraded',
      state: 'error',
      message: expect.stringMatching(/cannot push/),
    });
  });

  it('is up in dry run and asks GitHub nothing', async () => {
    running = await startApp(stack.config({ GITHUB_API_URL: github.url }));
    const ready = await request(running.url).get('/health/ready').expect(200);
    expect(ready.body.details.github).toMatchObject({ status: 'up', state: 'dry-run' });
    expect(github.requests).toEqual([]);
  });
});
