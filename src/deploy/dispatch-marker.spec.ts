import type { Post } from '../posts/post';
import type { PostRepository } from '../content/repositories';
import type { ListedObject, S3StorageService, StoredObject } from '../storage/s3-storage.service';
import { ContentSnapshot } from './content-snapshot';
import { DispatchMarker } from './dispatch-marker';

/** A bucket of posts (key → ETag and status) and a listing copy holding some of them, counting the S3 reads. */
function setUp(bucket: Record<string, { etag: string; status: Post['status'] }>, copy: Record<string, string>) {
  const reads: string[] = [];
  const storage = {
    list: (prefix: string): Promise<ListedObject[]> =>
      Promise.resolve(
        Object.entries(bucket)
          .filter(([key]) => key.startsWith(prefix))
          .map(([key, { etag }]) => ({ key, etag: `"${etag}"` })),
      ),
    getText: (key: string): Promise<StoredObject | null> => {
      reads.push(key);
      const object = bucket[key];
      return Promise.resolve(
        object ? { etag: `"${object.etag}"`, body: JSON.stringify({ status: object.status }) } : null,
      );
    },
  };
  // The copy answers only for the very object it holds: same id and same ETag.
  const index = {
    peek: (id: string, etag: string): Pick<Post, 'status'> | undefined => {
      const key = `posts/${id}.json`;
      return copy[key] === etag ? { status: bucket[key].status } : undefined;
    },
  };
  const marker = new DispatchMarker(storage as unknown as S3StorageService, { index } as unknown as PostRepository);
  return { marker, reads };
}

describe('DispatchMarker.current', () => {
  it('learns the status of changed posts from the listing copy when it holds that object, and reads the rest', async () => {
    const { marker, reads } = setUp(
      {
        'posts/draft-known.json': { etag: 'd1', status: 'draft' },
        'posts/live-known.json': { etag: 'l1', status: 'published' },
        'posts/draft-elsewhere.json': { etag: 'd2', status: 'draft' },
        'posts/stale-copy.json': { etag: 's2', status: 'scheduled' },
        'posts/unchanged.json': { etag: 'u1', status: 'draft' },
      },
      { 'posts/draft-known.json': 'd1', 'posts/live-known.json': 'l1', 'posts/stale-copy.json': 's1' },
    );
    const last = ContentSnapshot.fromJson({ 'posts/unchanged.json': 'u1' }, ['posts/unchanged.json']);

    const now = await marker.current(last);

    expect(reads.sort()).toEqual(['posts/draft-elsewhere.json', 'posts/stale-copy.json']);
    expect([...now.offSite].sort()).toEqual([
      'posts/draft-elsewhere.json',
      'posts/draft-known.json',
      'posts/stale-copy.json',
      'posts/unchanged.json',
    ]);
    expect(now.isOnSite('posts/live-known.json')).toBe(true);
  });

  it('reads every post it cannot find in the copy when there is no earlier record', async () => {
    const bucket = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`posts/p${i}.json`, { etag: `e${i}`, status: 'published' as const }]),
    );
    const { marker, reads } = setUp(bucket, {});
    const now = await marker.current(null);
    expect(reads).toHaveLength(40);
    expect(now.offSite.size).toBe(0);
  });
});
