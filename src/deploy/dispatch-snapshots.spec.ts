import { Logger } from '@nestjs/common';
import fc from 'fast-check';
import type { ContentChange } from '../content/content-change';
import { ContentSnapshot } from './content-snapshot';
import { DispatchMarker, Marker } from './dispatch-marker';
import { DispatchSnapshots } from './dispatch-snapshots';
import { InMemoryDeployState } from './testing/in-memory-deploy-state';

const AT = '2026-01-01T00:00:00.000Z';
const post = (id: string, etag?: string): ContentChange => ({ kind: 'post', id, action: 'updated', at: AT, etag });

/**
 * A claimed deploy of `changes`, described against a last dispatch that saw `last.objects` and named `last.found`
 * as found in S3, and an S3 that now holds `nowObjects`.
 */
async function describeWith(
  changes: ContentChange[],
  last: { deployId: string; objects: Record<string, string>; found?: Record<string, string> },
  nowObjects: Record<string, string>,
) {
  const state = new InMemoryDeployState();
  const now = Date.now() - 5_000;
  let deployId = '';
  for (const change of changes) deployId = (await state.recordChange(change, now))?.deployId ?? deployId;
  await state.claim(deployId, `${deployId}.1`, Date.now());
  const marker: Marker = {
    deployId: last.deployId,
    dispatchedAt: AT,
    snapshot: ContentSnapshot.fromJson(last.objects),
    found: last.found ?? {},
  };
  const markers = {
    read: () => Promise.resolve(marker),
    current: () => Promise.resolve(ContentSnapshot.fromJson(nowObjects)),
  };
  const snapshots = new DispatchSnapshots(markers as unknown as DispatchMarker, state);
  await snapshots.prepare(deployId);
  const deploy = await snapshots.describe(deployId);
  return deploy.changes.map((c) => `${c.action} ${c.kind}:${c.id}`).sort();
}

describe('DispatchSnapshots.prepare', () => {
  afterEach(() => jest.restoreAllMocks());

  it('keeps how long the last successful snapshot took, for the next lead; a failed one changes nothing', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const clock = jest.spyOn(Date, 'now');
    let fail = false;
    const markers = {
      read: () => Promise.resolve(null),
      current: () => (fail ? Promise.reject(new Error('S3 away')) : Promise.resolve(ContentSnapshot.fromJson({}))),
    };
    const snapshots = new DispatchSnapshots(markers as unknown as DispatchMarker, new InMemoryDeployState());
    expect(snapshots.lastDurationMs).toBe(0);
    clock.mockReturnValueOnce(10_000).mockReturnValueOnce(13_250);
    await snapshots.prepare('d1');
    expect(snapshots.lastDurationMs).toBe(3_250);
    fail = true;
    clock.mockReturnValueOnce(20_000).mockReturnValueOnce(20_010);
    await snapshots.prepare('d2');
    expect(snapshots.lastDurationMs).toBe(3_250);
  });
});

describe('DispatchSnapshots.describe', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('leaves out a recorded write the last dispatch named as found in S3 with its very ETag; keeps other versions and deletes', async () => {
    const changes = [post('raced', 'r2'), post('edited', 'e2'), { ...post('gone'), action: 'deleted' as const }];
    const last = {
      deployId: 'd1',
      objects: { 'posts/raced.json': 'r2', 'posts/edited.json': 'e1' },
      found: { 'post:raced': 'r2', 'post:edited': 'e1' },
    };
    const now = { 'posts/raced.json': 'r2', 'posts/edited.json': 'e2' };
    expect(await describeWith(changes, last, now)).toEqual(['deleted post:gone', 'updated post:edited']);
  });

  it('keeps a recorded write the last dispatch named when the object has changed since: S3 now shows a newer write', async () => {
    const last = { deployId: 'd1', objects: { 'posts/raced.json': 'r2' }, found: { 'post:raced': 'r2' } };
    expect(await describeWith([post('raced', 'r2')], last, { 'posts/raced.json': 'r3' })).toEqual([
      'updated post:raced',
    ]);
  });

  it('keeps a recorded write the last dispatch deployed without naming it: it named an older recorded change of the post', async () => {
    const last = { deployId: 'd1', objects: { 'posts/raced.json': 'r2' } };
    expect(await describeWith([post('raced', 'r2')], last, { 'posts/raced.json': 'r2' })).toEqual([
      'updated post:raced',
    ]);
  });

  it('leaves a recorded change out exactly when its write, what the last dispatch named as found and the bucket agree on one ETag', async () => {
    const etag = fc.option(fc.constantFrom('e1', 'e2', 'e3'), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(etag, etag, etag, etag, async (written, listed, found, inBucket) => {
        const change = written === undefined ? { ...post('p'), action: 'deleted' as const } : post('p', written);
        const objects = (etagHere?: string): Record<string, string> => (etagHere ? { 'posts/p.json': etagHere } : {});
        const named: Record<string, string> = found ? { 'post:p': found } : {};
        const last = { deployId: 'd1', objects: objects(listed), found: named };
        const left = written !== undefined && found === written && inBucket === written;
        expect(await describeWith([change], last, objects(inBucket))).toEqual(left ? [] : [`${change.action} post:p`]);
      }),
      { numRuns: 300 },
    );
  });

  // A retry describes the deploy again: what the first attempt found is by then among its recorded changes.
  it.each([1, 2, 3])(
    'marks what it names as found in S3 in the record of its dispatch, and only that, after %i attempt(s)',
    async (attempts) => {
      const state = new InMemoryDeployState();
      const { deployId } = (await state.recordChange(post('known', 'k2'), Date.now() - 5_000))!;
      await state.claim(deployId, `${deployId}.1`, Date.now());
      const now = ContentSnapshot.fromJson({
        'posts/known.json': 'k2',
        'posts/lost.json': 'l2',
        'posts/gone.json': 'g1',
      });
      const previous = { 'posts/known.json': 'k1', 'posts/lost.json': 'l1', 'posts/dropped.json': 'd1' };
      const markers = {
        read: () =>
          Promise.resolve({
            deployId: 'd0',
            dispatchedAt: AT,
            snapshot: ContentSnapshot.fromJson(previous),
            found: {},
          }),
        current: () => Promise.resolve(now),
        write: jest.fn(() => Promise.resolve()),
      };
      const snapshots = new DispatchSnapshots(markers as unknown as DispatchMarker, state);
      await snapshots.prepare(deployId);
      for (let attempt = 1; attempt <= attempts; attempt++) await snapshots.describe(deployId);
      await snapshots.markDispatched(deployId);
      expect(markers.write).toHaveBeenCalledWith(deployId, now, { 'post:lost': 'l2', 'post:gone': 'g1' });
    },
  );

  it('also names what S3 shows changed since the last dispatch that no recorded edit names', async () => {
    const last = { deployId: 'd1', objects: { 'posts/known.json': 'k1', 'posts/lost.json': 'l1' } };
    const now = { 'posts/known.json': 'k2', 'posts/lost.json': 'l2', 'authors/new.json': 'a1' };
    expect(await describeWith([post('known', 'k2')], last, now)).toEqual([
      'created author:new',
      'updated post:known',
      'updated post:lost',
    ]);
  });
});
