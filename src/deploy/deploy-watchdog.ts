import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DeployQueue } from './deploy-queue';
import { DeployStore } from './deploy-store';

/** How late a pending deploy may be before the watchdog assumes its wake-up job was lost. */
const OVERDUE_GRACE_MS = 5_000;

/**
 * Closes the gaps no single step can: a process killed between the Redis script and the queue add, a job
 * that ended without releasing the in-flight slot. Runs in worker instances at start and every
 * DEPLOY_RECONCILE_MS. Recovery may dispatch twice (at-least-once); it never loses a change.
 */
@Injectable()
export class DeployWatchdog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeployWatchdog');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: DeployStore,
    private readonly queue: DeployQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.config.deploy.reconcileMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async check(now = Date.now()): Promise<void> {
    try {
      const { next, inflight } = await this.store.pointers();
      if (inflight !== null) {
        const state = await this.queue.state(inflight.jobId);
        if (state === 'completed' || state === 'failed' || state === 'unknown') {
          this.logger.warn(`deploy ${inflight.deployId} lost its worker (job ${state}); carrying its changes into a new deploy`);
          await this.store.finish(inflight.deployId, { status: 'failed', attempts: 0, lastError: 'The worker sending this deploy stopped before recording the result; its changes were sent again with the next deploy.', carry: true }, now);
          const { wakeup } = await this.store.forceNow('reconcile', now);
          if (wakeup !== null) await this.queue.schedule(wakeup, now);
        }
        return;
      }
      if (next === null || next.held) return;
      const pending = await this.store.get(next.deployId);
      const scheduledFor = pending?.scheduledFor ? Date.parse(pending.scheduledFor) : Infinity;
      if (scheduledFor < now - OVERDUE_GRACE_MS) {
        this.logger.warn(`deploy ${next.deployId} is overdue; queueing its wake-up again`);
        await this.queue.schedule({ deployId: next.deployId, scheduledFor: now, jobNumber: now }, now);
      }
    } catch (error) {
      this.logger.warn(`watchdog check failed: ${(error as Error).message}`);
    }
  }
}
