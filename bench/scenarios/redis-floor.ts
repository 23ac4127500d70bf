import { Redis } from 'ioredis';
import { runLoad } from '../lib/load';
import { LatencySummary, summarize } from '../lib/stats';

/**
 * One Redis round trip from a client on this machine: the floor under the deploy trigger, which adds one
 * script call (and now and then a queue add) to each write that changes the published site.
 */
export async function redisRoundTrip(url: string, samples: number): Promise<LatencySummary> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  try {
    const items = Array.from({ length: samples }, (_, i) => i);
    await runLoad(items.slice(0, 50), 1, async () => void (await client.ping()));
    const run = await runLoad(items, 1, async () => void (await client.ping()));
    return summarize(run.latencies);
  } finally {
    client.disconnect();
  }
}
