import request from 'supertest';
import { RunningApp, TestStack, startApp } from './support/stack';
import { waitFor } from './support/wait-for';

describe('deploys without a GitHub token (dry run)', () => {
  let stack: TestStack;
  let running: RunningApp;

  beforeAll(async () => {
    stack = await TestStack.start();
    running = await startApp(stack.config({ DEPLOY_DEBOUNCE_MS: '1000', DEPLOY_MAX_WAIT_MS: '10000' }));
  });

  afterAll(async () => {
    await running?.close();
    await stack?.stop();
  });

  it('coalesces a burst of author edits into one dry-run deploy that names every change', async () => {
    const api = request(running.url);
    await api.post('/authors').send({ id: 'ada', name: 'Ada' }).expect(201);
    for (let i = 0; i < 5; i++)
      await api
        .patch('/authors/ada')
        .send({ bio: `v${i}` })
        .expect(200);
    await api.post('/authors').send({ id: 'bob', name: 'Bob' }).expect(201);

    const deploy = await waitFor('a finished deploy', async () => {
      const { body } = await api.get('/deploys').expect(200);
      return body.items.find((d: { status: string }) => d.status === 'dry-run');
    });
    expect(deploy).toMatchObject({ reason: 'changes', changeCount: 2, editCount: 7, attempts: 1, lastError: null });
    // Ada was created within this deploy: new to the site, so "created" however often she was edited since.
    expect(deploy.changes.map((c: { id: string; action: string }) => `${c.id}:${c.action}`)).toEqual([
      'bob:created',
      'ada:created',
    ]);
    const { body: all } = await api.get('/deploys').expect(200);
    expect(all.items).toHaveLength(1);
    await api.get(`/deploys/${deploy.id}`).expect(200);
  });

  it('does not deploy draft-only post edits', async () => {
    const api = request(running.url);
    const before = (await api.get('/deploys').expect(200)).body.items.length;
    await api
      .post('/posts')
      .send({ id: 'draft-1', title: 'Draft', body: 'x', authorIds: ['ada'] })
      .expect(201);
    await api.patch('/posts/draft-1').send({ body: 'y' }).expect(200);
    // A manual deploy afterwards proves the queue is alive and carries no draft change.
    const manual = (await api.post('/deploys').send({ reason: 'check' }).expect(202)).body;
    const done = await waitFor('the manual deploy', async () => {
      const { body } = await api.get(`/deploys/${manual.id}`).expect(200);
      return body.status === 'dry-run' ? body : undefined;
    });
    expect(done).toMatchObject({ reason: 'manual', changeCount: 0, changes: [] });
    expect((await api.get('/deploys').expect(200)).body.items.length).toBe(before + 1);
  });
});
