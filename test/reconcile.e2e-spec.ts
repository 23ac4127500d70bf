import { Redis } from 'ioredis';
import request from 'supertest';
import { DEPLOY_MARKER_KEY } from '../src/storage/s3-layout';
import { Deploy } from '../src/deploy/deploy.types';
import { Reconciler, ReconcileOutcome } from '../src/deploy/reconciler';
import { WritesInProgress } from '../src/content/writes-in-progress';
import { S3StorageService } from '../src/storage/s3-storage.service';
import { RunningApp, TestStack, startApp } from './support/stack';
import { waitFor } from './support/wait-for';

/** The reconcile pass against real Redis and S3, in process (crash and restart scenarios run as processes elsewhere). */
describe('reconcile: S3 compared with what was last dispatched', () => {
  let stack: TestStack;
  let running: RunningApp;
  let storage: S3StorageService;

  const deploys = async (): Promise<Deploy[]> =>
    (await request(running.url).get('/deploys?limit=100').expect(200)).body.items;
  const finished = (reason: string, count: number) =>
    waitFor(`${count} finished ${reason} deploy(s)`, async () => {
      const done = (await deploys()).filter((d) => d.reason === reason && d.status === 'dry-run');
      return done.length >= count ? done : undefined;
    });

  /** A pass run now (the timer's own passes may hold the lock for a moment). */
  const pass = () =>
    waitFor('a pass not locked out by the timer', async () => {
      const result: ReconcileOutcome = await running.app.get(Reconciler).reconcile();
      return result.outcome === 'locked' ? undefined : result;
    });

  beforeAll(async () => {
    stack = await TestStack.start();
    // A long quiet window keeps a change pending while Redis is wiped; reconcile runs every 300 ms.
    running = await startApp(
      stack.config({ DEPLOY_DEBOUNCE_MS: '60000', DEPLOY_MAX_WAIT_MS: '120000', DEPLOY_RECONCILE_MS: '300' }),
    );
    storage = running.app.get(S3StorageService);
  });

  afterAll(async () => {
    await running?.close();
    await stack?.stop();
  });

  it('takes the content of the very first start as its baseline and dispatches nothing', async () => {
    await waitFor('the baseline marker', () => storage.getText(DEPLOY_MARKER_KEY));
    expect(await deploys()).toEqual([]);
  });

  it('deploys a change whose queue state Redis lost', async () => {
    await request(running.url).post('/authors').send({ id: 'lost', name: 'Lost in Redis' }).expect(201);
    expect((await deploys()).map((d) => d.status)).toEqual(['pending']);
    const direct = new Redis(running.config.redisUrl);
    await direct.flushall();
    direct.disconnect();

    const [deploy] = await finished('reconcile', 1);
    expect(deploy.changes).toEqual([expect.objectContaining({ kind: 'author', id: 'lost', action: 'created' })]);
  });

  it('deploys an edit made directly in the bucket, and not again once dispatched', async () => {
    const doc = {
      id: 'direct',
      title: 'Direct',
      body: 'x',
      authorIds: ['lost'],
      status: 'published',
      publishedAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    await storage.putJson('posts/direct.json', JSON.stringify(doc));

    const done = await finished('reconcile', 2);
    expect(done[0].changes).toEqual([expect.objectContaining({ kind: 'post', id: 'direct', action: 'created' })]);
    const marker = JSON.parse((await storage.getText(DEPLOY_MARKER_KEY))!.body);
    expect(Object.keys(marker.objects).sort()).toEqual(['authors/lost.json', 'posts/direct.json']);
    // A pass run now finds nothing to do: the marker matches the bucket.
    expect(await pass()).toEqual({ outcome: 'in-sync' });
  });

  it('leaves a difference to a content write in progress, and deploys it once no write is in progress', async () => {
    const doc = {
      id: 'noted',
      name: 'Written while noted',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    // The object is in S3 and no deploy knows it, as between an edit's S3 write and the recording of its change.
    await running.app.get(WritesInProgress).during(async () => {
      await storage.putJson('authors/noted.json', JSON.stringify(doc));
      expect(await pass()).toEqual({ outcome: 'write-in-progress' });
    });
    // This write never recorded its change (as if that had failed): the next pass deploys it.
    const done = await finished('reconcile', 3);
    expect(done[0].changes).toEqual([expect.objectContaining({ kind: 'author', id: 'noted', action: 'created' })]);
  });
});
