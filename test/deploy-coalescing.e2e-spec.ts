import request from 'supertest';
import { FakeGithub } from './support/fake-github';
import {
  answeredDispatches,
  bodyOf,
  deploysOf,
  measureQuietWindowDelay,
  printQuietWindowDelays,
  settled,
  startDeployingApp,
} from './support/deploy-harness';
import { RunningApp, TestStack } from './support/stack';

// Wide enough that a burst of sequential edits stays inside it on a loaded machine (tests run in parallel).
const DEBOUNCE = 1_000;

describe('deploys: coalescing edits into one repository_dispatch (fake GitHub)', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let running: RunningApp;
  let api: () => ReturnType<typeof request>;

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
  });

  beforeEach(async () => {
    // A cap far beyond any burst here, so the quiet window alone decides (the cap has its own test).
    running = await startDeployingApp(stack, github, {
      DEPLOY_DEBOUNCE_MS: String(DEBOUNCE),
      DEPLOY_MAX_WAIT_MS: '30000',
    });
    api = () => request(running.url);
    await api().post('/authors').send({ id: 'ada', name: 'Ada' }).expect(201);
    await answeredDispatches(github, 1);
    github.reset();
  });

  afterEach(async () => {
    await running?.close();
    github.reset();
  });

  afterAll(async () => {
    await github?.close();
    await stack?.stop();
    printQuietWindowDelays();
  });

  it('turns a burst of 40 edits into one dispatch, one quiet window after the last edit', async () => {
    for (let i = 0; i < 40; i++)
      await api()
        .patch('/authors/ada')
        .send({ bio: `edit ${i}` })
        .expect(200);
    const [dispatch] = await answeredDispatches(github, 1);
    await measureQuietWindowDelay(running.url, dispatch, DEBOUNCE);
    expect(bodyOf(dispatch)).toMatchObject({
      event_type: 'webhook',
      client_payload: { reason: 'changes', changeCount: 1, editCount: 40, truncated: false },
    });
    const deploy = await settled(running.url, bodyOf(dispatch).client_payload.deployId);
    expect(deploy).toMatchObject({ status: 'dispatched', attempts: 1, lastError: null, editCount: 40 });
    expect(github.dispatches()).toHaveLength(1);
  });

  it('deploys nothing for draft-only edits, once for a publish and once for an unpublish', async () => {
    await api()
      .post('/posts')
      .send({ id: 'draft', title: 'Draft', body: 'x', authorIds: ['ada'] })
      .expect(201);
    await api().patch('/posts/draft').send({ body: 'y' }).expect(200);
    await api().patch('/posts/draft').send({ status: 'published' }).expect(200);
    const [publish] = await answeredDispatches(github, 1);
    await measureQuietWindowDelay(running.url, publish, DEBOUNCE);
    expect(bodyOf(publish).client_payload).toMatchObject({
      changeCount: 1,
      editCount: 1,
      changes: [{ kind: 'post', id: 'draft', action: 'updated' }],
    });

    await api().patch('/posts/draft').send({ status: 'draft' }).expect(200);
    const [, unpublish] = await answeredDispatches(github, 2);
    await measureQuietWindowDelay(running.url, unpublish, DEBOUNCE);
    expect(bodyOf(unpublish).client_payload).toMatchObject({
      editCount: 1,
      changes: [{ kind: 'post', id: 'draft', action: 'updated' }],
    });
    await api().patch('/posts/draft').send({ body: 'draft again' }).expect(200);
    // A later published change proves the queue is alive; the draft edit rides with nothing.
    await api().patch('/authors/ada').send({ bio: 'alive' }).expect(200);
    const [, , later] = await answeredDispatches(github, 3);
    expect(bodyOf(later).client_payload).toMatchObject({ editCount: 1, changes: [{ kind: 'author', id: 'ada' }] });
  });

  it('puts an edit made during a slow in-flight dispatch into exactly one follow-up', async () => {
    const hold = github.hold('dispatch');
    await api().patch('/authors/ada').send({ bio: 'first' }).expect(200);
    await hold.arrived;
    await api().post('/authors').send({ id: 'bob', name: 'Bob' }).expect(201);
    hold.release();
    const [first, second] = await answeredDispatches(github, 2);
    expect(second.startedAt).toBeGreaterThanOrEqual(first.endedAt!);
    expect(bodyOf(first).client_payload.changes.map((c) => c.id)).toEqual(['ada']);
    expect(bodyOf(second).client_payload.changes.map((c) => c.id)).toEqual(['bob']);
    expect(github.maxConcurrentDispatches).toBe(1);
    await settled(running.url, bodyOf(second).client_payload.deployId);
    expect(github.dispatches()).toHaveLength(2);
  });

  it('dispatches within the max-wait cap while edits never stop', async () => {
    await running.close();
    running = await startDeployingApp(stack, github, {
      DEPLOY_DEBOUNCE_MS: String(DEBOUNCE),
      DEPLOY_MAX_WAIT_MS: '1500',
      S3_BUCKET: running.config.s3.bucket,
    });
    const acks = [Date.now()];
    while (github.dispatches().length === 0 && acks.length < 200) {
      await api()
        .patch('/authors/ada')
        .send({ bio: `steady ${acks.length}` })
        .expect(200);
      acks.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 100)); // the steady editor's pace, well inside the quiet window
    }
    // No gap between edits reached the quiet window, so only the 1,500 ms cap can have fired this.
    const gaps = acks.slice(1).map((at, i) => at - acks[i]);
    expect(Math.max(...gaps)).toBeLessThan(DEBOUNCE);
    expect(github.dispatches()).toHaveLength(1);
    expect(github.dispatches()[0].startedAt - acks[acks.length - 1]).toBeLessThan(DEBOUNCE);
    expect(acks.length).toBeLessThan(200);
  });

  it('fires a manual deploy now, taking every pending change with it', async () => {
    await running.close();
    running = await startDeployingApp(stack, github, {
      DEPLOY_DEBOUNCE_MS: '60000',
      DEPLOY_MAX_WAIT_MS: '120000',
      S3_BUCKET: running.config.s3.bucket,
    });
    await api().patch('/authors/ada').send({ bio: 'pending' }).expect(200);
    const manual = (await api().post('/deploys').send({ reason: 'release notes' }).expect(202)).body;
    expect(manual).toMatchObject({ reason: 'manual', status: 'pending', changeCount: 1 });
    const [dispatch] = await answeredDispatches(github, 1);
    expect(bodyOf(dispatch).client_payload).toMatchObject({ deployId: manual.id, reason: 'manual', changeCount: 1 });
    expect(await settled(running.url, manual.id)).toMatchObject({ status: 'dispatched' });
  });

  it('coalesces edits spread over two instances on one Redis into one dispatch', async () => {
    const other = await startDeployingApp(stack, github, {
      DEPLOY_DEBOUNCE_MS: String(DEBOUNCE),
      DEPLOY_MAX_WAIT_MS: '30000',
      S3_BUCKET: running.config.s3.bucket,
    });
    try {
      await Promise.all([
        (async () => {
          for (let i = 0; i < 10; i++)
            await api()
              .patch('/authors/ada')
              .send({ bio: `a${i}` })
              .expect(200);
        })(),
        (async () => {
          for (let i = 0; i < 10; i++)
            await request(other.url)
              .post('/authors')
              .send({ name: `Writer ${i}` })
              .expect(201);
        })(),
      ]);
      const [dispatch] = await answeredDispatches(github, 1);
      await measureQuietWindowDelay(running.url, dispatch, DEBOUNCE);
      expect(bodyOf(dispatch).client_payload).toMatchObject({ editCount: 20, changeCount: 11 });
      await settled(running.url, bodyOf(dispatch).client_payload.deployId);
      expect(github.dispatches()).toHaveLength(1);
      // Both instances serve the same history.
      expect((await deploysOf(other.url))[0]).toMatchObject({
        id: bodyOf(dispatch).client_payload.deployId,
        status: 'dispatched',
      });
    } finally {
      await other.close();
    }
  });
});
