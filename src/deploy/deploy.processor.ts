import { Processor } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { GithubClient } from '../github/github.client';
import { GithubDispatchError } from '../github/github.types';
import { setTimeout as sleep } from 'node:timers/promises';
import { DispatchSnapshots } from './dispatch-snapshots';
import { DeployJobData, DeployQueue } from './deploy-queue';
import { DeployState, FinalState } from './deploy-state';
import { DEPLOY_QUEUE } from './deploy.constants';
import { Deploy } from './deploy.types';
import { retryDelay, snapshotLeadMs } from './schedule';
import { WORKER_OPTIONS } from './worker-options';
import { BackedOffWorkerHost } from '../redis/backed-off-worker-host';

type Outcome = { status: string; deployId: string; attempts?: number };

/** Why a non-GitHub error (a bug, Redis away mid-dispatch) still gets a sentence a person can act on. */
function asDispatchError(error: unknown): GithubDispatchError {
  if (error instanceof GithubDispatchError) return error;
  return new GithubDispatchError(
    `The deploy could not be sent: ${(error as Error).message}. It will be retried.`,
    true,
  );
}

/**
 * Runs deploy jobs: claims the pending deploy when it is due (re-delaying itself while the quiet window
 * is still open), dispatches it through GithubClient, and records the outcome. At most one deploy is
 * in flight across all instances (the claim is atomic in Redis); retries reuse the same job and claim.
 */
@Processor(DEPLOY_QUEUE, WORKER_OPTIONS)
export class DeployProcessor extends BackedOffWorkerHost {
  private readonly logger = new Logger('Deploy');

  constructor(
    private readonly state: DeployState,
    private readonly queue: DeployQueue,
    private readonly github: GithubClient,
    private readonly snapshots: DispatchSnapshots,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super('deploy worker', new Logger('Deploy'));
  }

  async process(job: Job<DeployJobData>, token?: string): Promise<Outcome> {
    const { deployId } = job.data;
    for (;;) {
      const dueAt = await this.dueAt(deployId);
      if (dueAt !== null) {
        // Wake up a lead time early, list S3 while the quiet window runs out, then claim on time.
        const leadMs = snapshotLeadMs(this.config.deploy.debounceMs, this.snapshots.lastDurationMs);
        if (dueAt - Date.now() > leadMs) return this.sleepUntil(job, token, dueAt - leadMs);
        await this.snapshots.prepare(deployId);
        await sleep(Math.max(0, dueAt - Date.now()));
      }
      const claim = await this.state.claim(deployId, job.id!, Date.now());
      if (claim.kind === 'wait') {
        // Edits extended the quiet window meanwhile: the snapshot is stale, start over.
        this.snapshots.discard(deployId);
        continue;
      }
      if (claim.kind === 'stale' || claim.kind === 'busy' || claim.kind === 'held') {
        // Already dispatched, another deploy in flight (its end queues this one), or held for a person.
        this.snapshots.discard(deployId);
        return { status: claim.kind === 'stale' ? 'already-dispatched' : claim.kind, deployId };
      }
      const deploy = await this.snapshots.describe(claim.deployId);
      await job.updateData({
        ...job.data,
        reason: deploy.reason,
        changeCount: deploy.changeCount,
        editCount: deploy.editCount,
        changes: deploy.changes.slice(0, 20).map((c) => `${c.action} ${c.kind} ${c.id}`),
      });
      return this.dispatch(job, deploy);
    }
  }

  /** When `deployId` is due, if it is the pending deploy and none is in flight; else null. A cheap look before the claim. */
  private async dueAt(deployId: string): Promise<number | null> {
    const { next, inflight } = await this.state.pointers();
    return next?.deployId === deployId && next.status === 'pending' && inflight === null ? next.scheduledFor : null;
  }

  /** Puts the job back to sleep until `at` (BullMQ delayed job; does not use an attempt). */
  private async sleepUntil(job: Job<DeployJobData>, token: string | undefined, at: number): Promise<never> {
    await job.moveToDelayed(at, token);
    throw new DelayedError();
  }

  private async dispatch(job: Job<DeployJobData>, deploy: Deploy): Promise<Outcome> {
    const attempt = job.attemptsMade + 1;
    const started = Date.now();
    try {
      const outcome = await this.github.dispatch({
        deployId: deploy.id,
        reason: deploy.reason,
        changeCount: deploy.changeCount,
        editCount: deploy.editCount,
        changes: deploy.changes,
        firstChangeAt: deploy.firstChangeAt,
        lastChangeAt: deploy.lastChangeAt,
      });
      const status = outcome.kind === 'dry-run' ? 'dry-run' : 'dispatched';
      // Marker first: written after finish, it could overwrite the marker of a deploy that started later.
      await this.snapshots.markDispatched(deploy.id);
      await this.finish(deploy.id, {
        status,
        attempts: attempt,
        dispatchedAt: Date.now(),
        run: outcome.run,
        carry: false,
      });
      this.logger.log(
        `deploy ${deploy.id} ${status}: ${deploy.changeCount} change(s), ${deploy.editCount} edit(s), attempt ${attempt}, ${Date.now() - started} ms`,
      );
      return { status, deployId: deploy.id, attempts: attempt };
    } catch (caught) {
      const error = asDispatchError(caught);
      if (error.retryable && attempt < this.config.deploy.maxAttempts) {
        const delay = retryDelay({
          retry: attempt,
          baseMs: this.config.deploy.backoffMs,
          retryAfterMs: error.retryAfterMs,
        });
        (error as GithubDispatchError & { retryDelayMs?: number }).retryDelayMs = delay;
        await this.state.markRetrying(deploy.id, attempt, error.message, Date.now() + delay);
        this.logger.warn(`deploy ${deploy.id} attempt ${attempt} failed, retrying in ${delay} ms: ${error.message}`);
        throw error;
      }
      await this.finish(deploy.id, { status: 'failed', attempts: attempt, lastError: error.message, carry: true });
      this.snapshots.discard(deploy.id);
      this.logger.error(
        `deploy ${deploy.id} failed after ${attempt} attempt(s); its changes wait for the next deploy: ${error.message}`,
      );
      throw new UnrecoverableError(error.message);
    }
  }

  private async finish(deployId: string, final: FinalState): Promise<void> {
    const next = await this.state.finish(deployId, final, Date.now());
    if (next !== null) await this.queue.schedule(next);
  }
}
