import { PeriodicPass } from '../common/periodic-pass';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { WritesInProgress } from '../content/writes-in-progress';
import { RedisService } from '../redis/redis.service';
import { RepeatedLog } from '../common/repeated-log';
import { troubleKey } from '../redis/redis-errors';
import { BASELINE, DispatchMarker } from './dispatch-marker';
import { DeployQueue } from './deploy-queue';
import { DeployState } from './deploy-state';

export type ReconcileOutcome =
  | { outcome: 'locked' | 'deploy-pending' | 'write-in-progress' | 'in-sync' | 'baseline' }
  | { outcome: 'requested'; deployId: string; changeCount: number };

/**
 * The reconcile pass: at start and every DEPLOY_RECONCILE_MS, one instance at a time
 * compares S3 with the marker of what was last dispatched and requests a `reconcile` deploy for the
 * difference. It catches changes whose queue state Redis lost, and edits made directly in the bucket.
 * The very first start (no marker) takes the current content as its baseline and dispatches nothing.
 * A difference seen while a content write is in progress is left to that write, which records its own change
 * (S3 shows an edit before the edit's change is recorded); the next pass looks again.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconcile');
  private readonly repeated = new RepeatedLog(this.logger);
  private readonly passes: PeriodicPass;

  constructor(
    private readonly state: DeployState,
    private readonly queue: DeployQueue,
    private readonly marker: DispatchMarker,
    private readonly redis: RedisService,
    private readonly writes: WritesInProgress,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.passes = new PeriodicPass(
      this.config.deploy.reconcileMs,
      () => this.reconcile(),
      (error) =>
        this.repeated.warn(
          `reconcile pass failed (next one in ${this.config.deploy.reconcileMs} ms): ${error.message}`,
          troubleKey(error),
        ),
    );
  }

  onApplicationBootstrap(): void {
    this.passes.start({ runNow: true });
  }

  onApplicationShutdown(): Promise<void> {
    return this.passes.stop();
  }

  async reconcile(): Promise<ReconcileOutcome> {
    // One instance at a time; the lock expires on its own if this one dies mid-pass.
    const pass = await this.redis.tryWithLock('reconcile', () => this.compare());
    return pass === null ? { outcome: 'locked' } : pass.value;
  }

  private async compare(): Promise<ReconcileOutcome> {
    const { next, inflight } = await this.state.pointers();
    // A pending or in-flight deploy will move the marker itself; a held one (failed, e.g. bad token) waits
    // for a person, or for a restart, which releases it (DeployWatchdog).
    if (inflight !== null || next !== null) return { outcome: 'deploy-pending' };
    const last = await this.marker.read();
    const current = await this.marker.current(last?.snapshot ?? null);
    if (last === null) {
      await this.marker.write(BASELINE, current);
      this.logger.log(
        `no record of a previous dispatch: the current content (${current.objects.size} objects) is the baseline`,
      );
      return { outcome: 'baseline' };
    }
    if (last.snapshot.fingerprint === current.fingerprint) return { outcome: 'in-sync' };
    const now = Date.now();
    // Keys and ETags change with a draft edit too, but only changes to what the site shows deploy.
    const changes = current.changesSince(last.snapshot, new Date(now).toISOString());
    if (changes.length === 0) {
      await this.marker.write(last.deployId, current, last.found); // past the drafts: later passes stay quiet
      return { outcome: 'in-sync' };
    }
    // Checked after listing S3: a write the listing shows is either still noted, or its change is recorded by now.
    if (await this.writes.any()) return { outcome: 'write-in-progress' };
    // Atomic: if edits started a deploy while S3 was being listed, that deploy carries the bucket instead.
    const requested = await this.state.reconcile(changes, now);
    if (requested === null) return { outcome: 'deploy-pending' };
    const { deployId, wakeup } = requested;
    if (wakeup !== null) await this.queue.schedule(wakeup, now);
    this.logger.log(
      `S3 differs from what was last dispatched (${changes.length} change(s)): deploy ${deployId} requested`,
    );
    return { outcome: 'requested', deployId, changeCount: changes.length };
  }
}
