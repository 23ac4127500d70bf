import request from 'supertest';
import { MARKER_KEY } from '../src/deploy/dispatch-marker';
import { Deploy } from '../src/deploy/deploy.types';
import { Reconciler, ReconcileOutcome } from '../src/deploy/reconciler';
import { S3StorageService } from '../src/storage/s3-storage.service';
import { RunningApp, TestStack, startApp } from './support/stack';
import { waitFor } from './support/wait-for';

/**
 * Draft-only edits deploy nothing (contract §5.1), also through the safety nets of issue 4: the reconcile
 * pass compares keys and ETags, which change with a draft edit too, and the dispatch that moves the
 * marker lists what S3 shows changed.
 */
describe('draft-only edits and the reconcile pass', () => {
  let stack: TestStack;
  let running: RunningApp;

  const deploys = async (): Promise<Deploy[]> => (await request(running.url).get('/deploys?limit=100').expect(200)).body.items;
  const pass = (): Promise<ReconcileOutcome> =>
    waitFor('a reconcile pass not locked out by another', async () => {
      const result = await running.app.get(Reconciler).reconcile();
      return result.outcome === 'locked' ? undefined : result;
    });

  beforeAll(async () => {
    stack = await TestStack.start();
    // No timer passes during the test (the pass at start writes the baseline); passes are run by hand.
    running = await startApp(stack.config({ DEPLOY_RECONCILE_MS: '600000' }));
    await waitFor('the baseline marker', () => running.app.get(S3StorageService).getText(MARKER_KEY));
    await request(running.url).post('/authors').send({ id: 'ann', name: 'Ann' }).expect(201);
    await waitFor('the first deploy', async () => (await deploys()).find((d) => d.status === 'dry-run'));
  });

  afterAll(async () => {
    await running?.close();
    await stack?.stop();
  });

  it('a draft post created and edited since the last dispatch gives no reconcile deploy', async () => {
    await request(running.url).post('/posts').send({ id: 'draft', title: 'Draft', body: 'x', authorIds: ['ann'] }).expect(201);
    await request(running.url).patch('/posts/draft').send({ body: 'y' }).expect(200);
    expect(await pass()).toEqual({ outcome: 'in-sync' });
    expect((await deploys()).map((d) => d.reason)).toEqual(['changes']);
    expect(await pass()).toEqual({ outcome: 'in-sync' });
  });

  it('publishing it later is a change like any other, listed once', async () => {
    await request(running.url).patch('/posts/draft').send({ status: 'published' }).expect(200);
    const deploy = await waitFor('the publish deploy', async () => (await deploys()).find((d) => d.status === 'dry-run' && d.changes.some((c) => c.id === 'draft')));
    expect(deploy).toMatchObject({ reason: 'changes', changes: [expect.objectContaining({ kind: 'post', id: 'draft' })] });
    expect(await pass()).toEqual({ outcome: 'in-sync' });
  });
});
