import { S3StorageService } from '../../src/storage/s3-storage.service';
import { BenchPost, storedPost } from '../data';
import { CpuCounters } from '../lib/cpu';
import { HttpClient } from '../lib/http-client';
import { runLoad } from '../lib/load';
import { LatencySummary, round, summarize } from '../lib/stats';

/** The same posts, split the same way for every target: warm-up (JIT, sockets), one client, then many. */
export interface WritePlan {
  warmup: BenchPost[];
  sequential: BenchPost[];
  concurrent: BenchPost[];
  concurrency: number;
  /** Each phase is cut into this many slices, taken in turn by every target. */
  rounds: number;
}

export interface WriteResult {
  /** One client: the cost of one write with no queueing. */
  sequential: LatencySummary;
  /**
   * `concurrency` clients, closed loop. `cpuMsPerWrite`: the service's CPU time per write, when it has a process;
   * `stackCpuMsPerWrite`: per write, the CPU time of each of the stack's counters (the machine, the S3 server, ...).
   */
  concurrent: LatencySummary & {
    throughput: number;
    clients: number;
    cpuMsPerWrite?: number;
    stackCpuMsPerWrite: Record<string, number>;
  };
}

export interface WriteTarget {
  name: string;
  write: (post: BenchPost) => Promise<void>;
  /** Runs after each of this target's slices, off the clock (e.g. let its deploy go out before the next target runs). */
  afterSlice?: () => Promise<void>;
  /** CPU time the process serving the writes has used so far (ms), to report its cost per write. */
  cpuMs?: () => number;
}

/** What one target's slices add up to, before it is summarized. */
interface Tally {
  sequential: number[];
  concurrent: number[];
  concurrentMs: number;
  concurrentCpuMs: number;
  stackCpuMs: Record<string, number>;
}

function slices<T>(items: readonly T[], count: number): T[][] {
  const size = Math.ceil(items.length / count);
  return Array.from({ length: count }, (_, i) => items.slice(i * size, (i + 1) * size)).filter(
    (slice) => slice.length > 0,
  );
}

/**
 * Writes the plan through every target, interleaved slice by slice (raw, off, on, raw, off, on, ...):
 * whatever else the machine does during the run then weighs on every target alike, so the ratios hold.
 */
export async function interleavedWrites(
  targets: WriteTarget[],
  plan: WritePlan,
  stackCpu: CpuCounters = () => ({}),
): Promise<Record<string, WriteResult>> {
  const latencies = new Map<string, Tally>(
    targets.map((t) => [
      t.name,
      { sequential: [], concurrent: [], concurrentMs: 0, concurrentCpuMs: 0, stackCpuMs: {} },
    ]),
  );
  for (const target of targets) {
    await runLoad(plan.warmup, plan.concurrency, target.write);
    await target.afterSlice?.();
  }
  for (const [phase, posts, clients] of [
    ['sequential', plan.sequential, 1],
    ['concurrent', plan.concurrent, plan.concurrency],
  ] as const) {
    for (const slice of slices(posts, plan.rounds)) {
      for (const target of targets) {
        const cpuBefore = target.cpuMs?.() ?? 0;
        const stackBefore = stackCpu();
        const run = await runLoad(slice, clients, target.write);
        const stackAfter = stackCpu();
        const mine = latencies.get(target.name)!;
        mine[phase].push(...run.latencies);
        if (phase === 'concurrent') {
          mine.concurrentMs += run.durationMs;
          mine.concurrentCpuMs += (target.cpuMs?.() ?? 0) - cpuBefore;
          for (const [counter, after] of Object.entries(stackAfter))
            mine.stackCpuMs[counter] = (mine.stackCpuMs[counter] ?? 0) + after - (stackBefore[counter] ?? after);
        }
        await target.afterSlice?.();
      }
    }
  }
  const results: Record<string, WriteResult> = {};
  for (const [name, mine] of latencies) {
    const measured = targets.find((t) => t.name === name)?.cpuMs !== undefined;
    results[name] = {
      sequential: summarize(mine.sequential),
      concurrent: {
        ...summarize(mine.concurrent),
        throughput: round((mine.concurrent.length / mine.concurrentMs) * 1000, 1),
        clients: plan.concurrency,
        ...(measured ? { cpuMsPerWrite: round(mine.concurrentCpuMs / mine.concurrent.length, 2) } : {}),
        stackCpuMsPerWrite: Object.fromEntries(
          Object.entries(mine.stackCpuMs).map(([counter, ms]) => [counter, round(ms / mine.concurrent.length, 2)]),
        ),
      },
    };
  }
  return results;
}

/**
 * The floor: PutObject of the very objects the service would store, through the service's own storage
 * class (same SDK client, keep-alive agent and socket limit), straight to the same S3 server.
 */
export function rawPutObject(storage: S3StorageService): WriteTarget['write'] {
  return async (post) => {
    await storage.putJson(`posts/${post.id}.json`, storedPost(post, new Date().toISOString()));
  };
}

/**
 * The floor of a create where S3 ignores conditional writes: the two S3 requests such a create cannot do
 * without (HeadObject to see whether the id is taken, then PutObject), straight from the bench process,
 * with no service in between. The distance from here to the API is the service's own cost.
 */
export function rawCheckedPut(storage: S3StorageService): WriteTarget['write'] {
  return async (post) => {
    const key = `posts/${post.id}.json`;
    if (await storage.exists(key)) throw new Error(`${key} is already in the bucket`);
    await storage.putJson(key, storedPost(post, new Date().toISOString()), { ifNoneMatch: '*' });
  };
}

/** `POST /posts` through the service: validation, author check, lock, S3 write, index, deploy trigger. */
export function apiCreate(client: HttpClient): WriteTarget['write'] {
  return async (post) => {
    await client.expect(201, 'POST', '/posts', post);
  };
}
