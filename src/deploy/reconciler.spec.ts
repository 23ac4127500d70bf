import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import type { WritesInProgress } from '../content/writes-in-progress';
import type { RedisService } from '../redis/redis.service';
import { ContentSnapshot } from './content-snapshot';
import type { DeployQueue } from './deploy-queue';
import type { DispatchMarker, Marker } from './dispatch-marker';
import { Reconciler } from './reconciler';
import { InMemoryDeployState } from './testing/in-memory-deploy-state';

const config = { deploy: { reconcileMs: 60_000 } } as AppConfig;
/** What the last dispatch named as found in S3: kept when the marker moves past drafts. */
const FOUND = { 'post:lost': 'l1' };

function setup(last: ContentSnapshot | null, now: ContentSnapshot, writing = false) {
  const state = new InMemoryDeployState();
  const queue = { schedule: jest.fn(() => Promise.resolve()) };
  const marker = {
    read: jest.fn((): Promise<Marker | null> =>
      Promise.resolve(
        last && { deployId: 'previous', dispatchedAt: '2026-01-01T00:00:00.000Z', snapshot: last, found: FOUND },
      ),
    ),
    current: jest.fn(() => Promise.resolve(now)),
    write: jest.fn(() => Promise.resolve()),
  };
  const redis = { tryWithLock: <T>(_name: string, work: () => Promise<T>) => work().then((value) => ({ value })) };
  const writes = { any: jest.fn(() => Promise.resolve(writing)) };
  const reconciler = new Reconciler(
    state,
    queue as unknown as DeployQueue,
    marker as unknown as DispatchMarker,
    redis as unknown as RedisService,
    writes as unknown as WritesInProgress,
    config,
  );
  return { state, queue, marker, writes, reconciler };
}

const snapshot = (objects: Record<string, string>, offSite: string[] = []) =>
  ContentSnapshot.fromJson(objects, offSite);

describe('Reconciler (against the in-memory deploy state)', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('takes the content of the very first start as its baseline and deploys nothing', async () => {
    const now = snapshot({ 'authors/a.json': '1' });
    const { state, marker, reconciler } = setup(null, now);
    await expect(reconciler.reconcile()).resolves.toEqual({ outcome: 'baseline' });
    expect(marker.write).toHaveBeenCalledWith('baseline', now);
    expect(await state.list(10)).toEqual([]);
  });

  it('requests a reconcile deploy naming what S3 shows changed on the site since the last dispatch', async () => {
    const { state, queue, reconciler } = setup(
      snapshot({ 'authors/a.json': '1' }),
      snapshot({ 'authors/a.json': '2', 'posts/p.json': '3' }),
    );
    const outcome = await reconciler.reconcile();
    expect(outcome).toMatchObject({ outcome: 'requested', changeCount: 2 });
    const [deploy] = await state.list(1);
    expect(deploy).toMatchObject({ reason: 'reconcile', status: 'pending' });
    expect(deploy.changes.map((c) => `${c.action} ${c.kind} ${c.id}`).sort()).toEqual([
      'created post p',
      'updated author a',
    ]);
    expect(queue.schedule).toHaveBeenCalledWith(expect.objectContaining({ deployId: deploy.id }), expect.any(Number));
  });

  it('deploys nothing for drafts created, edited or deleted, and moves the marker past them', async () => {
    const last = snapshot({ 'posts/old-draft.json': '1', 'posts/edited.json': '1' }, [
      'posts/old-draft.json',
      'posts/edited.json',
    ]);
    const now = snapshot({ 'posts/edited.json': '2', 'posts/new-draft.json': '1' }, [
      'posts/edited.json',
      'posts/new-draft.json',
    ]);
    const { state, marker, reconciler } = setup(last, now);
    await expect(reconciler.reconcile()).resolves.toEqual({ outcome: 'in-sync' });
    expect(marker.write).toHaveBeenCalledWith('previous', now, FOUND);
    expect(await state.list(10)).toEqual([]);
  });

  it('leaves the bucket to a deploy that is pending, in flight or held', async () => {
    const { state, marker, reconciler } = setup(snapshot({}), snapshot({ 'authors/a.json': '1' }));
    state.seed({ id: 'kept', status: 'held', scheduledFor: null }, 'next');
    await expect(reconciler.reconcile()).resolves.toEqual({ outcome: 'deploy-pending' });
    expect(marker.read).not.toHaveBeenCalled();
  });

  it('leaves a difference to the content write in progress, which records its own change', async () => {
    const { state, queue, marker, writes, reconciler } = setup(snapshot({}), snapshot({ 'authors/a.json': '1' }), true);
    await expect(reconciler.reconcile()).resolves.toEqual({ outcome: 'write-in-progress' });
    expect(writes.any).toHaveBeenCalled();
    expect(await state.list(10)).toEqual([]);
    expect(queue.schedule).not.toHaveBeenCalled();
    expect(marker.write).not.toHaveBeenCalled();
  });

  it('is in sync when nothing changed', async () => {
    const same = snapshot({ 'authors/a.json': '1' });
    const { reconciler } = setup(same, same);
    await expect(reconciler.reconcile()).resolves.toEqual({ outcome: 'in-sync' });
  });
});
