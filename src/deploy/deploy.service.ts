import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { NotFoundError } from '../common/domain-errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ContentChange, ContentEvents } from '../content/content-events';
import { DeployQueue } from './deploy-queue';
import { DeployStore } from './deploy-store';
import { Deploy, DeployReason } from './deploy.types';

/**
 * Turns content changes into deploy requests and serves the deploy history. Every acknowledged change is
 * recorded in Redis before the API answers 2xx; the wake-up job fires the dispatch when it is due.
 */
@Injectable()
export class DeployService implements OnModuleInit {
  private readonly logger = new Logger('Deploy');

  constructor(
    private readonly store: DeployStore,
    private readonly queue: DeployQueue,
    private readonly events: ContentEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((change) => this.recordChange(change));
  }

  async recordChange(change: ContentChange): Promise<void> {
    const now = Date.now();
    const wakeup = await this.store.recordChange(change, now, this.config.deploy.debounceMs, this.config.deploy.maxWaitMs);
    if (wakeup !== null) {
      this.logger.log(`deploy ${wakeup.deployId} scheduled for ${new Date(wakeup.scheduledFor).toISOString()} (${change.action} ${change.kind} ${change.id})`);
      await this.queue.schedule(wakeup, now);
    }
  }

  /** A deploy fired now, taking every pending change with it (after the one in flight, if any). */
  async requestNow(reason: Exclude<DeployReason, 'changes'>, note?: string): Promise<Deploy> {
    const now = Date.now();
    const { deployId, wakeup } = await this.store.forceNow(reason, now);
    this.logger.log(`deploy ${deployId} requested now (${reason}${note ? `: ${note}` : ''})`);
    if (wakeup !== null) await this.queue.schedule(wakeup, now);
    return this.get(deployId);
  }

  async get(id: string): Promise<Deploy> {
    const deploy = await this.store.get(id);
    if (deploy === null) throw new NotFoundError('Deploy', id);
    return deploy;
  }

  list(limit: number): Promise<Deploy[]> {
    return this.store.list(limit);
  }
}
