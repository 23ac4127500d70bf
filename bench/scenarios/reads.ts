import { HttpClient } from '../lib/http-client';
import { runLoad } from '../lib/load';
import { LatencySummary, summarize } from '../lib/stats';

export interface ReadTargets {
  authorId: string;
  tag: string;
  postIds: readonly string[];
}

export interface ReadResult {
  listAll: LatencySummary;
  listByAuthor: LatencySummary;
  listByTag: LatencySummary;
  getById: LatencySummary;
  /** GET /posts right after a PATCH through the same instance: the version moved, the copy already holds the write. */
  listAfterWrite: LatencySummary;
}

/** `count` GETs from one client after 20 to warm up: latency without queueing. */
export async function sequentially(
  count: number,
  path: (i: number) => string,
  client: HttpClient,
): Promise<LatencySummary> {
  const items = Array.from({ length: count }, (_, i) => i);
  await runLoad(items.slice(0, 20), 1, async (i) => void (await client.expect(200, 'GET', path(i))));
  const run = await runLoad(items, 1, async (i) => void (await client.expect(200, 'GET', path(i))));
  return summarize(run.latencies);
}

/** Warm read latency, one client (no queueing): listings over every post, filtered or not, and single posts. */
export async function readLatency(
  client: HttpClient,
  targets: ReadTargets,
  samples: number,
  afterWriteSamples: number,
): Promise<ReadResult> {
  const first = JSON.parse((await client.expect(200, 'GET', `/posts?authorId=${targets.authorId}`)).body) as {
    items: unknown[];
  };
  if (first.items.length === 0)
    throw new Error(`no posts by ${targets.authorId}: the read benchmark would measure empty pages`);
  const listAll = await sequentially(samples, () => '/posts', client);
  const listByAuthor = await sequentially(samples, () => `/posts?authorId=${targets.authorId}`, client);
  const listByTag = await sequentially(samples, () => `/posts?tag=${targets.tag}`, client);
  const getById = await sequentially(
    samples,
    (i) => `/posts/${targets.postIds[(i * 7919) % targets.postIds.length]}`,
    client,
  );

  const afterWrite: number[] = [];
  for (let i = 0; i < afterWriteSamples; i++) {
    await client.expect(200, 'PATCH', `/posts/${targets.postIds[i]}`, { summary: `read-after-write ${i}` });
    const run = await runLoad([0], 1, async () => void (await client.expect(200, 'GET', '/posts')));
    afterWrite.push(...run.latencies);
  }
  return { listAll, listByAuthor, listByTag, getById, listAfterWrite: summarize(afterWrite) };
}
