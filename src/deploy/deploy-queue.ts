import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobState, Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DEPLOY_QUEUE } from './deploy.constants';
import type { Wakeup } from './deploy-state';
import { wakeLeadMs } from './schedule';
import { RepeatedLog } from '../common/repeated-log';
import { within } from '../common/within';
import { troubleKey } from '../redis/redis-errors';

/** What a deploy job carries: ids and a change summary for the dashboard, never a secret. */
export interface DeployJobData {
  deployId: string;
  reason?: string;
  changeCount?: number;
  editCount?: number;
  changes?: string[];
  /** The GitHub Actions run the dispatch started, and how its deploy stands (set by run tracking). */
  run?: string;
  runStatus?: string;
}

/** Kept so the dashboard can show recent deploys; Redis memory stays bounded. */
const KEEP_JOBS = { count: 500 };
/**
 * How long a write waits for its deploy's wake-up job to be queued. BullMQ's connection holds commands while
 * Redis is away; the change itself is already recorded, so the write is answered rather than held for the outage.
 */
export const SCHEDULE_WAIT_MS = 3_000;

/**
 * The BullMQ queue of deploy jobs. A job is a wake-up for one pending deploy: it runs at the deploy's
 * scheduled time, claims it (DeployState.claim) and dispatches, retrying with backoff on its own attempts.
 */
@Injectable()
export class DeployQueue {
  private readonly logger = new Logger(DeployQueue.name);
  private readonly repeated = new RepeatedLog(this.logger);

  constructor(
    @InjectQueue(DEPLOY_QUEUE) private readonly queue: Queue<DeployJobData>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Without a listener BullMQ prints raw multi-line traces during a Redis outage, outside the JSON logs.
    queue.on('error', (error: Error) => this.repeated.warn(`deploy queue: ${error.message}`, troubleKey(error)));
  }

  /**
   * Queues the wake-up job, one per deploy: when the deploy's job exists already (a manual deploy of a
   * pending one), it is made to run now rather than joined by a second job. Waits SCHEDULE_WAIT_MS at most;
   * an add that fails or is still waiting then is logged (one that lands later is the same job, by its id),
   * and the watchdog queues overdue wake-ups again.
   */
  async schedule(wakeup: Wakeup, now = Date.now(), waitMs = SCHEDULE_WAIT_MS): Promise<void> {
    const queued = this.queueWakeup(wakeup, now).then(
      () => true,
      (error: unknown) => {
        this.repeated.warn(
          `could not queue deploy ${wakeup.deployId} (the watchdog will retry): ${(error as Error).message}`,
          troubleKey(error) ?? 'queue add',
        );
        return true;
      },
    );
    if (!(await within(queued, waitMs, () => false)))
      this.repeated.warn(
        `deploy ${wakeup.deployId} was not queued within ${waitMs} ms (Redis slow or away): the change is recorded, and the watchdog queues the deploy if its job never lands`,
        'queue slow',
      );
  }

  private async queueWakeup(wakeup: Wakeup, now: number): Promise<void> {
    const jobId = `${wakeup.deployId}.${wakeup.jobNumber}`;
    if (wakeup.promote) {
      if (await this.runNow(jobId)) return;
      // Its job is gone or over (lost with Redis, say): a fresh one.
      return this.add(wakeup.deployId, `${wakeup.deployId}.${now}`, 0);
    }
    // Early enough for any snapshot lead: the processor lists S3 while the quiet window runs out.
    await this.add(
      wakeup.deployId,
      jobId,
      Math.max(0, wakeup.scheduledFor - wakeLeadMs(this.config.deploy.debounceMs) - now),
    );
  }

  /** How many deploy jobs are in each BullMQ state (for metrics). */
  jobCounts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
      'completed',
      'failed',
    );
  }

  private async add(deployId: string, jobId: string, delay: number): Promise<void> {
    await this.queue.add(
      `deploy ${deployId}`,
      { deployId },
      {
        jobId,
        delay,
        attempts: this.config.deploy.maxAttempts,
        backoff: { type: 'deploy', delay: this.config.deploy.backoffMs },
        removeOnComplete: KEEP_JOBS,
        removeOnFail: KEEP_JOBS,
      },
    );
  }

  /** Makes a delayed job run now; false when it is missing, completed or failed (true if it is already running or waiting). */
  private async runNow(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state === 'delayed') await job.promote().catch(() => undefined); // it may have started meanwhile
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  /** Adds `note` to the data of the job that dispatched `deployId` (one of the newest finished jobs), for the dashboard. */
  async annotate(deployId: string, note: Pick<DeployJobData, 'run' | 'runStatus'>): Promise<void> {
    const recent = await this.queue.getJobs(['completed'], 0, 49);
    const job = recent.find(
      (candidate) =>
        candidate.data.deployId === deployId &&
        (candidate.returnvalue as { status?: unknown } | undefined)?.status === 'dispatched',
    );
    if (job) await job.updateData({ ...job.data, ...note });
  }

  /** 'unknown' when the job no longer exists. */
  state(jobId: string): Promise<JobState | 'unknown'> {
    return this.queue.getJobState(jobId);
  }

  /** Resolves once BullMQ's own connection is up. */
  ready(): Promise<void> {
    return this.queue.waitUntilReady();
  }
}
