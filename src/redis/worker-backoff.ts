import type { Worker } from 'bullmq';
import { RepeatedLog } from '../common/repeated-log';
import { classifyRedisError, describeRedisTrouble } from './redis-errors';

/** Longest pause: Redis that heals is used again within this long. */
export const MAX_PAUSE_MS = 20_000;
const FIRST_PAUSE_MS = 500;

/**
 * Keeps a BullMQ worker from spinning on a Redis that answers every command with an error (READONLY after
 * a failover, MOVED from a cluster node, OOM): BullMQ retries those at once, forever. On such an error the
 * worker pauses, for twice as long each time (capped at MAX_PAUSE_MS), then tries again; a job or an
 * empty queue seen again means Redis is healthy and resets the pause. Connection errors are left to ioredis,
 * which reconnects with its own backoff. Each kind of error is logged at most once per 10 s.
 */
export class WorkerBackoff {
  private pauseMs = 0;
  private paused = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  /** Every BullMQ WorkerHost should have one: wire `onError` to the worker's 'error' event, `onHealthy` to 'active' and 'drained'. */
  constructor(
    private readonly name: string,
    private readonly worker: () => Worker,
    private readonly log: RepeatedLog,
  ) {}

  onError(error: Error): void {
    const trouble = classifyRedisError(error);
    this.log.warn(
      `${this.name}: ${describeRedisTrouble(trouble)} (Redis said: ${error.message.slice(0, 200)})`,
      `redis ${trouble}`,
    );
    if (trouble === 'unreachable' || this.paused) return;
    this.paused = true;
    this.pauseMs = Math.min(Math.max(FIRST_PAUSE_MS, this.pauseMs * 2), MAX_PAUSE_MS);
    const worker = this.worker();
    void worker
      .pause(true)
      .catch(() => undefined)
      .then(() => {
        this.timer = setTimeout(() => {
          this.paused = false;
          // Shutdown pauses the worker too: never undo that.
          if (this.stopped || worker.closing) return;
          void worker.resume().catch((resumeError: Error) => this.onError(resumeError));
        }, this.pauseMs);
        this.timer.unref();
      });
  }

  /** The worker got a job or found the queue empty: Redis answers again. */
  onHealthy(): void {
    this.pauseMs = 0;
  }

  /** At shutdown: never resume the worker again. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
