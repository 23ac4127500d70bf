import { S3StorageService } from '../../src/storage/s3-storage.service';
import { BenchPost, storedPost } from '../data';
import { HttpClient } from '../lib/http-client';
import { runLoad } from '../lib/load';
import { LatencySummary, round, summarize } from '../lib/stats';

/** The same posts, split the same way for every target: warm-up (JIT, sockets), one client, then many. */
export interface WritePlan {
  warmup: BenchPost[];
  sequential: BenchPost[];
  concurrent: BenchPost[];
  concurrency: number;
}

export interface WriteResult {
  /** One client: the cost of one write with no queueing. */
  sequential: LatencySummary;
  /** `concurrency` clients, closed loop. */
  concurrent: LatencySummary & { throughput: number; clients: number };
}

type Write = (post: BenchPost) => Promise<void>;

async function measure(plan: WritePlan, write: Write): Promise<WriteResult> {
  await runLoad(plan.warmup, plan.concurrency, write);
  const sequential = await runLoad(plan.sequential, 1, write);
  const concurrent = await runLoad(plan.concurrent, plan.concurrency, write);
  return {
    sequential: summarize(sequential.latencies),
    concurrent: { ...summarize(concurrent.latencies), throughput: round(concurrent.throughput, 1), clients: plan.concurrency },
  };
}

/**
 * The floor: PutObject of the very objects the service would store, through the service's own storage
 * class (same SDK client, keep-alive agent and socket limit), straight to the same S3 server.
 */
export function rawPutObject(storage: S3StorageService, plan: WritePlan): Promise<WriteResult> {
  return measure(plan, async (post) => {
    await storage.putJson(`posts/${post.id}.json`, storedPost(post, new Date().toISOString()));
  });
}

/** `POST /posts` through the service: validation, author check, lock, S3 write, index, deploy trigger. */
export function apiCreate(client: HttpClient, plan: WritePlan): Promise<WriteResult> {
  return measure(plan, async (post) => {
    await client.expect(201, 'POST', '/posts', post);
  });
}
