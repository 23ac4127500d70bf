import { performance } from 'node:perf_hooks';

export interface LoadResult {
  /** Wall time of the whole run. */
  durationMs: number;
  /** One per operation, in milliseconds. */
  latencies: number[];
  /** Operations per second over the whole run. */
  throughput: number;
  /** performance.now() at the end of the last operation, and Date.now() at the same moment. */
  endedAt: number;
  endedAtEpoch: number;
}

/**
 * Runs `operation` once per item with `concurrency` clients, each taking the next item as soon as its
 * previous one finishes (closed loop: the measured latency includes any queueing in the service).
 * A failed operation aborts the run: a benchmark of errors measures nothing.
 */
export async function runLoad<T>(
  items: readonly T[],
  concurrency: number,
  operation: (item: T, index: number) => Promise<void>,
): Promise<LoadResult> {
  const latencies = new Array<number>(items.length);
  let next = 0;
  let endedAt = 0;
  let endedAtEpoch = 0;
  const startedAt = performance.now();
  const client = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const begin = performance.now();
      await operation(items[index], index);
      const end = performance.now();
      latencies[index] = end - begin;
      if (end > endedAt) {
        endedAt = end;
        endedAtEpoch = Date.now();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, client));
  const durationMs = performance.now() - startedAt;
  return { durationMs, latencies, throughput: (items.length / durationMs) * 1000, endedAt, endedAtEpoch };
}
