/** Runs `work` over `items` with at most `limit` at a time (a pool, not batches: one slow object does not stall the rest). */
export async function inPool<I>(items: readonly I[], limit: number, work: (item: I) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
