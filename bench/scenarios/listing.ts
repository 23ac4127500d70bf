import { S3StorageService } from '../../src/storage/s3-storage.service';
import { runLoad } from '../lib/load';
import { LatencySummary, summarize } from '../lib/stats';

/**
 * ListObjectsV2 of every content object (authors/ and posts/ side by side), as the deploy worker's
 * snapshot and the listing index do: the floor under the dispatch delay and under any full relisting.
 */
export async function contentListing(storage: S3StorageService, samples: number): Promise<LatencySummary> {
  const run = await runLoad(
    Array.from({ length: samples }, (_, i) => i),
    1,
    async () => void (await Promise.all([storage.list('authors/'), storage.list('posts/')])),
  );
  return summarize(run.latencies);
}
