import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';
import { DispatchMarker } from './dispatch-marker';
import { DeployQueue } from './deploy-queue';
import { DeployStore } from './deploy-store';

export type ReconcileOutcome =
  | { outcome: 'locked' | 'deploy-pending' | 'in-sync' | 'baseline' }
  | { outcome: 'requested'; deployId: string; changeCount: number };

/**
 * The reconcile pass (contract §5.3): at start and every DEPLOY_RECONCILE_MS, one instance at a time
 * compares S3 with the marker of what was last dispatched and requests a `reconcile` deploy for the
 * difference. It catches changes whose queue state Redis lost, and edits made directly in the bucket.
 * The very first start (no marker) takes the current content as its baseline and dispatches nothing.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconcile');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly store: DeployStore,
    private readonly queue: DeployQueue,
    private readonly marker: DispatchMarker,
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.trigger(true);
    this.timer = setInterval(() => this.trigger(false), this.config.deploy.reconcileMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private trigger(atStart: boolean): void {
    this.running ??= this.reconcile(atStart)
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn(`reconcile pass failed (next one in ${this.config.deploy.reconcileMs} ms): ${error.message}`))
      .finally(() => (this.running = undefined));
  }

  async reconcile(atStart = false): Promise<ReconcileOutcome> {
    // One instance at a time; the lock expires on its own if this one dies mid-pass.
    const pass = await this.redis.tryWithLock('reconcile', () => this.compare(atStart));
    return pass === null ? { outcome: 'locked' } : pass.value;
  }

  private async compare(atStart: boolean): Promise<ReconcileOutcome> {
    const { next, inflight } = await this.store.pointers();
    // A pending or in-flight deploy will move the marker itself; a held one (failed, e.g. bad token) waits
    // for a person, except at start, when a restart (with a fixed token, say) should deploy it.
    if (inflight !== null || (next !== null && !(next.held && atStart))) return { outcome: 'deploy-pending' };
    const [current, last] = await Promise.all([this.marker.current(), this.marker.read()]);
    if (last === null) {
      await this.marker.write('baseline', current);
      this.logger.log(`no record of a previous dispatch: the current content (${current.objects.size} objects) is the baseline`);
      return { outcome: 'baseline' };
    }
    if (last.snapshot.fingerprint === current.fingerprint && next === null) return { outcome: 'in-sync' };
    const now = Date.now();
    // Keys and ETags change with a draft edit too, but draft-only edits deploy nothing (contract §5.1).
    const changes = await this.marker.affectingSite(current.changesSince(last.snapshot, new Date(now).toISOString()));
    if (changes.length === 0 && next === null) {
      await this.marker.write(last.deployId, current); // the marker moves past the drafts: later passes stay quiet
      return { outcome: 'in-sync' };
    }
    // Atomic: if edits started a deploy while S3 was being listed, that deploy carries the bucket instead.
    const requested = await this.store.reconcile(changes, now);
    if (requested === null) return { outcome: 'deploy-pending' };
    const { deployId, wakeup } = requested;
    if (wakeup !== null) await this.queue.schedule(wakeup, now);
    this.logger.log(`S3 differs from what was last dispatched (${changes.length} change(s)): deploy ${deployId} requested`);
    return { outcome: 'requested', deployId, changeCount: changes.length };
  }
}
