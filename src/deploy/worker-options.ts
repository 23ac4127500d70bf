import { BackoffStrategy } from 'bullmq';

/** The processor stores the delay it chose (exponential, jitter, GitHub's Retry-After) on the error. */
const backoffStrategy: BackoffStrategy = (attemptsMade, _type, error) => {
  const chosen: unknown = error && 'retryDelayMs' in error ? error.retryDelayMs : undefined;
  return typeof chosen === 'number' ? chosen : 1_000 * 2 ** Math.max(0, attemptsMade - 1);
};

/**
 * One job at a time per worker (the atomic claim guarantees one dispatch in flight across workers anyway).
 * Short locks so a killed worker's job is taken over in seconds, not the default 30 s+.
 */
// Typed where @Processor receives it (its option type is not part of @nestjs/bullmq's public API).
export const WORKER_OPTIONS = {
  concurrency: 1,
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 5,
  settings: { backoffStrategy },
};
