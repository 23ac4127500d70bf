import { S3StorageService } from '../../src/storage/s3-storage.service';
import { contentKey } from '../../src/storage/s3-layout';
import { BenchPost, storedPost } from '../data';
import { HttpClient } from '../lib/http-client';
import { runLoad } from '../lib/load';
import { AppProcess } from '../lib/processes';
import { LatencySummary, round } from '../lib/stats';
import { sequentially } from './reads';
import { waitFor } from '../../test/support/wait-for';

export interface LargeListingResult {
  /** Posts in the bucket once seeded. */
  posts: number;
  /** From the end of seeding until the service's listing holds every post (one full relisting). */
  catchUpMs: number;
  listAll: LatencySummary;
  listByTag: LatencySummary;
  /** Live heap after a full GC (MB) before and after, and what each 1,000 posts cost. */
  heapMb: { before: number; after: number; per1000Posts: number };
  /** Resident set size once the listing holds them all, and the highest seen during this phase (MB). */
  rssMb: { steady: number; peak: number };
}

/**
 * Grows the bucket to many posts behind the service's back (raw PutObject, as another tool would), waits until
 * the listing of the running service holds them all, then measures list latency and what the listing costs in
 * memory. The added posts are newer than any other, so the newest one heading the first page proves the catch-up.
 */
export async function largeListing(
  app: AppProcess,
  client: HttpClient,
  storage: S3StorageService,
  extra: BenchPost[],
  total: number,
  tag: string,
  samples: number,
): Promise<LargeListingResult> {
  const heapBefore = await app.liveHeapMb();
  app.phasePeakRssMb();
  const base = Date.now() + 60_000;
  await runLoad(extra, 32, async (post, i) => {
    await storage.putJson(contentKey('post', post.id), storedPost(post, new Date(base + i).toISOString()));
  });
  const seededAt = Date.now();
  const newest = extra[extra.length - 1].id;
  await waitFor(
    `the service to list all ${total} posts`,
    async () =>
      (JSON.parse((await client.expect(200, 'GET', '/posts?limit=1')).body) as { items: { id: string }[] }).items[0]
        ?.id === newest,
    300_000,
    100,
  );
  const catchUpMs = Date.now() - seededAt;
  const listAll = await sequentially(samples, () => '/posts', client);
  const listByTag = await sequentially(samples, () => `/posts?tag=${tag}`, client);
  const heapAfter = await app.liveHeapMb();
  const peak = app.phasePeakRssMb();
  return {
    posts: total,
    catchUpMs,
    listAll,
    listByTag,
    heapMb: {
      before: round(heapBefore, 1),
      after: round(heapAfter, 1),
      per1000Posts: round(((heapAfter - heapBefore) / extra.length) * 1000, 2),
    },
    rssMb: { steady: Math.round(app.currentRssMb()), peak },
  };
}
