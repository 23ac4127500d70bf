import request from 'supertest';
import { DEPLOY_MARKER_KEY } from '../src/storage/s3-layout';
import { Deploy } from '../src/deploy/deploy.types';
import { Reconciler, ReconcileOutcome } from '../src/deploy/reconciler';
import { S3StorageService } from '../src/storage/s3-storage.service';
import { RunningApp, TestStack, startApp } from './support/stack';
import { waitFor } from './support/wait-for';

/**
 * Draft-only edits deploy nothing, also through the safety nets: the reconcile pass compares keys and
 * ETags, which change with a draft edit too, and the dispatch that moves the marker lists what S3 shows
 * changed. The marker knows which posts were off the site, so deleting a draft is no change either.
 */
describe('draft-only edits and the reconcile pass', () => {
  let stack: TestStack;
  let running: RunningApp;

  const deploys = async (): Promise<Deploy[]> =>
    (await request(running.url).get('/deploys?limit=100').expect(200)).body.items;
  const pass = (): Promise<ReconcileOutcome> =>
    waitFor('a reconcile pass not locked out by another', async () => {
      const result = await running.app.get(Reconciler).reconcile();
      return result.outcome === 'locked' ? undefined : result;
    });

  beforeAll(async () => {
    stack = await TestStack.start();
    // No timer passes during the test (the pass at start writes the baseline); passes are run by hand.
    running = await startApp(stack.config({ DEPLOY_RECONCILE_MS: '600000' }));
    await waitFor('the baseline marker', () => running.app.get(S3StorageService).getText(DEPLOY_MARKER_KEY));
    await request(running.url).post('/authors').send({ id: 'ann', name: 'Ann' }).expect(201);
    await waitFor('the first deploy', async () => (await deploys()).find((d) => d.status === 'dry-run'));
  });

  afterAll(async () => {
    await running?.close();
    await stack?.stop();
  });

  it('a draft post created and edited since the last dispatch gives no reconcile deploy', async () => {
    await request(running.url)
      .post('/posts')
      .send({ id: 'draft', title: 'Draft', body: 'x', authorIds: ['ann'] })
      .expect(201);
    await request(running.url).patch('/posts/draft').send({ body: 'y' }).expect(200);
    expect(await pass()).toEqual({ outcome: 'in-sync' });
    expect((await deploys()).map((d) => d.reason)).toEqual(['changes']);
    expect(await pass()).toEqual({ outcome: 'in-sync' });
  });

  it('publishing it later is a change like any other, listed once', async () => {
    await request(running.url).patch('/posts/draft').send({ status: 'published' }).expect(200);
    const deploy = await waitFor('the publish deploy', async () =>
      (await deploys()).find((d) => d.status === 'dry-run' && d.changes.some((c) => c.id === 'draft')),
    );
    expect(deploy).toMatchObject({
      reason: 'changes',
      changes: [expect.objectContaining({ kind: 'post', id: 'draft' })],
    });
    expect(await pass()).toEqual({ outcome: 'in-sync' });
  });

  it('deleting drafts deploys nothing through the reconcile pass, though the last dispatch saw them', async () => {
    await request(running.url)
      .post('/posts')
      .send({ id: 'doomed-1', title: 'Doomed', body: 'x', authorIds: ['ann'] })
      .expect(201);
    await request(running.url)
      .post('/posts')
      .send({ id: 'doomed-2', title: 'Doomed too', body: 'x', authorIds: ['ann'] })
      .expect(201);
    // A dispatch now records both drafts in the marker (off the site).
    await request(running.url).patch('/authors/ann').send({ bio: 'marker sees the drafts' }).expect(200);
    const before = await waitFor('the author deploy', async () =>
      (await deploys()).find(
        (d) => d.status === 'dry-run' && d.changes.some((c) => c.id === 'ann' && c.action === 'updated'),
      ),
    );
    await waitFor(
      'the marker of that deploy',
      async () =>
        JSON.parse((await running.app.get(S3StorageService).getText(DEPLOY_MARKER_KEY))!.body).deployId === before.id,
    );

    await request(running.url).delete('/posts/doomed-1').expect(204);
    expect(await pass()).toEqual({ outcome: 'in-sync' });
    expect((await deploys()).filter((d) => d.reason === 'reconcile')).toEqual([]);

    // Nor does the next dispatch name the deleted drafts among the changes it found in S3.
    await request(running.url).delete('/posts/doomed-2').expect(204);
    await request(running.url).patch('/authors/ann').send({ bio: 'after the drafts went' }).expect(200);
    const after = await waitFor('the next author deploy', async () =>
      (await deploys()).find((d) => d.status === 'dry-run' && d.id > before.id),
    ); // ids sort by time
    expect(after.changes.map((c) => `${c.kind}:${c.id}`)).toEqual(['author:ann']);
  });

  it('a scheduled post written and removed behind the service gives no reconcile deploy', async () => {
    const storage = running.app.get(S3StorageService);
    const post = {
      id: 'later',
      title: 'Later',
      body: 'x',
      authorIds: ['ann'],
      status: 'scheduled',
      publishAt: '2099-01-01T00:00:00.000Z',
      publishedAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    await storage.putJson('posts/later.json', JSON.stringify(post));
    expect(await pass()).toEqual({ outcome: 'in-sync' });
    await storage.delete('posts/later.json');
    expect(await pass()).toEqual({ outcome: 'in-sync' });
    expect((await deploys()).filter((d) => d.reason === 'reconcile')).toEqual([]);
  });
});
