import { renameSync, writeFileSync } from 'node:fs';

/**
 * Preloaded (`node -r`) into the service by the benchmark: on SIGUSR2 it collects garbage (the service runs
 * with --expose-gc) and writes the live heap to BENCH_HEAP_FILE, so the memory a listing holds per 1,000 posts
 * is measured on live data, not on whatever garbage V8 has not collected yet.
 */
const file = process.env.BENCH_HEAP_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    const { heapUsed, rss, external } = process.memoryUsage();
    // Written aside and renamed, so the benchmark never reads half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify({ heapUsed, rss, external, at: Date.now() }));
    renameSync(`${file}.tmp`, file);
  });
}
