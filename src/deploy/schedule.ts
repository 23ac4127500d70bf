export interface RetryTiming {
  /** 1 for the first retry (after the first failed attempt). */
  retry: number;
  baseMs: number;
  /** What GitHub asked for (Retry-After, x-ratelimit-reset), if anything. */
  retryAfterMs?: number;
  /** In [0, 1); injectable for tests. */
  random?: number;
}

/** Exponential backoff base·2^(retry-1) with ±20% jitter, never shorter than what GitHub asked for. */
export function retryDelay({ retry, baseMs, retryAfterMs, random = Math.random() }: RetryTiming): number {
  const exponential = baseMs * 2 ** Math.min(retry - 1, 20);
  const jittered = Math.round(exponential * (0.8 + 0.4 * random));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * How early a wake-up job is queued before its deploy is due: half the quiet window, the most the worker may take
 * to list the bucket (snapshotLeadMs); it goes back to sleep until the lead it needs. No earlier, so a burst's
 * wake-ups stay few.
 */
export function wakeLeadMs(debounceMs: number): number {
  return Math.floor(debounceMs / 2);
}

/**
 * How early the worker takes the pre-claim snapshot of the bucket (~0.3 s for 2,000 objects here) while the quiet
 * window runs out, so the dispatch leaves on time: 1 s, or half as much again as the last snapshot took when that
 * is longer (the bucket grew), never more than half the quiet window.
 */
export function snapshotLeadMs(debounceMs: number, lastSnapshotMs = 0): number {
  return Math.min(wakeLeadMs(debounceMs), Math.max(1_000, Math.ceil(lastSnapshotMs * 1.5)));
}
