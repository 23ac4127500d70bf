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
 * How early a wake-up job runs before its deploy is due: long enough to list the bucket (the pre-claim
 * snapshot, ~0.3 s for 2,000 objects here) while the quiet window runs out, so the dispatch leaves on time.
 * At most half the quiet window, so a burst's wake-ups stay few.
 */
export function snapshotLeadMs(debounceMs: number): number {
  return Math.min(1_000, Math.floor(debounceMs / 2));
}
