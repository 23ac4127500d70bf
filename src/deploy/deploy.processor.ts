import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { GithubClient } from '../github/github.client';
import { GithubDispatchError } from '../github/github.types';
import { ContentSnapshot } from './content-snapshot';
import { DispatchMarker } from './dispatch-marker';
import { DeployJobData, DeployQueue } from './deploy-queue';
import { DeployStore } from './deploy-store';
import { DEPLOY_QUEUE } from './deploy.constants';
import { Deploy } from './deploy.types';
import { retryDelay } from './schedule';
import { WORKER_OPTIONS } from './worker-options';

type Outcome = { status: string; deployId: string; attempts?: number };

/** Why a non-GitHub error (a bug, Redis away mid-dispatch) still gets a sentence a person can act on. */
function asDispatchError(error: unknown): GithubDispatchError {
  if (error instanceof GithubDispatchError) return error;
  return new GithubDispatchError(`The deploy could not be sent: ${(error as Error).message}. It will be retried.`, true);
}

/**
 * Runs deploy jobs: claims the pending deploy when it is due (re-delaying itself while the quiet window
 * is still open), dispatches it through GithubClient, and records the outcome. At most one deploy is
 * in flight across all instances (the claim is atomic in Redis); retries reuse the same job and claim.
 */
@Processor(DEPLOY_QUEUE, WORKER_OPTIONS)
export class DeployProcessor extends WorkerHost {
  private readonly logger = new Logger('Deploy');
  /** What S3 held just before each claim made here: written as the dispatch marker on success. */
  private readonly snapshots = new Map<string, ContentSnapshot>();

  constructor(
    private readonly store: DeployStore,
    private readonly queue: DeployQueue,
    private readonly github: GithubClient,
    private readonly marker: DispatchMarker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async process(job: Job<DeployJobData>, token?: string): Promise<Outcome> {
    // The snapshot is taken BEFORE the claim: every write it contains was recorded before the claim, so
    // this dispatch carries it. (Taken after, it could contain a write that lands in the next deploy,
    // and a Redis wipe before that one would then hide the write from the reconcile pass.)
    const snapshot = (await this.store.isDue(job.data.deployId, Date.now())) ? await this.snapshot() : undefined;
    const claim = await this.store.claim(job.data.deployId, job.id!, Date.now());
    if (claim.kind === 'claimed' && snapshot) this.snapshots.set(claim.deployId, snapshot);
    if (claim.kind === 'wait') {
      // The quiet window was extended by later edits: sleep until the new time (does not use an attempt).
      await job.moveToDelayed(claim.scheduledFor, token);
      throw new DelayedError();
    }
    if (claim.kind === 'stale' || claim.kind === 'busy') {
      // Already dispatched, or another deploy is in flight: its finish schedules what is pending.
      return { status: claim.kind === 'stale' ? 'already-dispatched' : 'superseded', deployId: job.data.deployId };
    }
    const deploy = await this.withUnrecordedChanges(claim.deployId);
    await job.updateData({ ...job.data, reason: deploy.reason, changeCount: deploy.changeCount, editCount: deploy.editCount, changes: deploy.changes.slice(0, 20).map((c) => `${c.action} ${c.kind} ${c.id}`) });
    return this.dispatch(job, deploy);
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
      await this.markDispatched(deploy.id);
      await this.finish(deploy.id, { status, attempts: attempt, dispatchedAt: Date.now(), carry: false });
      this.logger.log(`deploy ${deploy.id} ${status}: ${deploy.changeCount} change(s), ${deploy.editCount} edit(s), attempt ${attempt}, ${Date.now() - started} ms`);
      return { status, deployId: deploy.id, attempts: attempt };
    } catch (caught) {
      const error = asDispatchError(caught);
      if (error.retryable && attempt < this.config.deploy.maxAttempts) {
        const delay = retryDelay({ retry: attempt, baseMs: this.config.deploy.backoffMs, retryAfterMs: error.retryAfterMs });
        (error as GithubDispatchError & { retryDelayMs?: number }).retryDelayMs = delay;
        await this.store.markRetrying(deploy.id, attempt, error.message, Date.now() + delay);
        this.logger.warn(`deploy ${deploy.id} attempt ${attempt} failed, retrying in ${delay} ms: ${error.message}`);
        throw error;
      }
      await this.finish(deploy.id, { status: 'failed', attempts: attempt, lastError: error.message, carry: true });
      this.snapshots.delete(deploy.id);
      this.logger.error(`deploy ${deploy.id} failed after ${attempt} attempt(s); its changes wait for the next deploy: ${error.message}`);
      throw new UnrecoverableError(error.message);
    }
  }

  /**
   * The claimed deploy, also listing what S3 shows changed since the last dispatch that no recorded edit
   * names (edits whose queue state a Redis wipe lost, or made in the bucket by another tool). This
   * dispatch deploys them and moves the marker past them, so it must name them: else no deploy ever would.
   * Posts that are drafts now are left out (draft-only edits deploy nothing, contract §5.1).
   */
  private async withUnrecordedChanges(deployId: string): Promise<Deploy> {
    const deploy = (await this.store.get(deployId))!;
    const snapshot = this.snapshots.get(deployId);
    const last = snapshot ? await this.marker.read().catch(() => null) : null;
    if (!snapshot || !last) return deploy;
    const listed = new Set(deploy.changes.map((c) => `${c.kind}:${c.id}`));
    const unlisted = snapshot.changesSince(last.snapshot, new Date().toISOString()).filter((c) => !listed.has(`${c.kind}:${c.id}`));
    const missing = await this.marker.affectingSite(unlisted).catch(() => unlisted);
    if (missing.length === 0) return deploy;
    await this.store.addChanges(deployId, missing);
    this.logger.warn(`deploy ${deployId} also carries ${missing.length} change(s) found in S3 that no queued edit named: ${missing.map((c) => `${c.action} ${c.kind} ${c.id}`).join(', ')}`);
    return (await this.store.get(deployId))!;
  }

  private async snapshot(): Promise<ContentSnapshot | undefined> {
    try {
      return await this.marker.current();
    } catch (error) {
      this.logger.warn(`could not list S3 before dispatching; the reconcile marker will not advance: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Without a snapshot from before the claim (resumed elsewhere after a crash) the marker stays behind: at worst one extra reconcile deploy. */
  private async markDispatched(deployId: string): Promise<void> {
    const snapshot = this.snapshots.get(deployId);
    this.snapshots.delete(deployId);
    if (!snapshot) return;
    await this.marker.write(deployId, snapshot).catch((error: Error) => this.logger.warn(`could not write the dispatch marker: ${error.message}`));
  }

  private async finish(deployId: string, final: Parameters<DeployStore['finish']>[1]): Promise<void> {
    const next = await this.store.finish(deployId, final, Date.now());
    if (next !== null) await this.queue.schedule(next);
  }
}
