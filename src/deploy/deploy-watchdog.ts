import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RepeatedLog } from '../common/repeated-log';
import { troubleKey } from '../redis/redis-errors';
import { DeployQueue } from './deploy-queue';
import { DeployState } from './deploy-state';

/** How late a pending deploy may be before the watchdog assumes its wake-up job was lost. */
const OVERDUE_GRACE_MS = 5_000;

/**
 * Closes the gaps no single step can: a process killed between the Redis script and the queue add, a job
 * that ended without releasing the in-flight slot. Runs in worker instances at start and every
 * DEPLOY_RECONCILE_MS; at start it also releases a held deploy (a restart may have fixed its cause).
 * Recovery may dispatch twice (at-least-once); it never loses a change.
 */
@Injectable()
export class DeployWatchdog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeployWatchdog');
  private readonly repeated = new RepeatedLog(this.logger);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly state: DeployState,
    private readonly queue: DeployQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.check(Date.now(), true);
    this.timer = setInterval(() => void this.check(), this.config.deploy.reconcileMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async check(now = Date.now(), atStart = false): Promise<void> {
    try {
      if (atStart) await this.releaseHeld(now);
      const { next, inflight } = await this.state.pointers();
      if (inflight !== null) {
        const job = await this.queue.state(inflight.jobId);
        if (job === 'completed' || job === 'failed' || job === 'unknown') {
          this.logger.warn(
            `deploy ${inflight.deployId} lost its worker (job ${job}); carrying its changes into a new deploy`,
          );
          const lastError =
            'The worker sending this deploy stopped before recording the result; its changes were sent again with the next deploy.';
          const next = await this.state.finish(
            inflight.deployId,
            { status: 'failed', attempts: 0, lastError, carry: true },
            now,
          );
          if (next !== null) await this.queue.schedule(next, now);
          const { wakeup } = await this.state.requestNow('reconcile', now);
          if (wakeup !== null) await this.queue.schedule(wakeup, now);
        }
        return;
      }
      if (next === null || next.status === 'held' || next.scheduledFor === null) return;
      if (next.scheduledFor < now - OVERDUE_GRACE_MS) {
        this.logger.warn(`deploy ${next.deployId} is overdue; waking its job again`);
        await this.queue.schedule(
          { deployId: next.deployId, scheduledFor: now, jobNumber: next.jobs, promote: true },
          now,
        );
      }
    } catch (error) {
      this.repeated.warn(`watchdog check failed: ${(error as Error).message}`, troubleKey(error));
    }
  }

  private async releaseHeld(now: number): Promise<void> {
    const released = await this.state.releaseHeld(now);
    if (released === null) return;
    this.logger.log(`deploy ${released.deployId} was held after a failure; the restart releases it`);
    if (released.wakeup !== null) await this.queue.schedule(released.wakeup, now);
  }
}
