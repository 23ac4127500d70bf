import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { NotFoundError } from '../common/domain-errors';
import type { ContentChange } from '../content/content-change';
import { ContentEvents } from '../content/content-events';
import { DeployQueue } from './deploy-queue';
import { DeployState } from './deploy-state';
import { Deploy, DeployReason } from './deploy.types';

/**
 * Turns content changes into deploy requests and serves the deploy history. Every acknowledged change is
 * recorded in Redis before the API answers 2xx; the wake-up job fires the dispatch when it is due.
 */
@Injectable()
export class DeployService implements OnModuleInit {
  private readonly logger = new Logger('Deploy');

  constructor(
    private readonly state: DeployState,
    private readonly queue: DeployQueue,
    private readonly events: ContentEvents,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((change) => this.recordChange(change));
  }

  async recordChange(change: ContentChange): Promise<void> {
    const now = Date.now();
    const wakeup = await this.state.recordChange(change, now);
    if (wakeup !== null) {
      this.logger.log(
        `deploy ${wakeup.deployId} scheduled for ${new Date(wakeup.scheduledFor).toISOString()} (${change.action} ${change.kind} ${change.id})`,
      );
      await this.queue.schedule(wakeup, now);
    }
  }

  /** A deploy fired now, taking every pending change with it (after the one in flight, if any). */
  async requestNow(reason: Exclude<DeployReason, 'changes'>, note?: string): Promise<Deploy> {
    const now = Date.now();
    const { deployId, wakeup } = await this.state.requestNow(reason, now);
    this.logger.log(`deploy ${deployId} requested now (${reason}${note ? `: ${note}` : ''})`);
    if (wakeup !== null) await this.queue.schedule(wakeup, now);
    return this.get(deployId);
  }

  async get(id: string): Promise<Deploy> {
    const deploy = await this.state.get(id);
    if (deploy === null) throw new NotFoundError('Deploy', id);
    return deploy;
  }

  list(limit: number): Promise<Deploy[]> {
    return this.state.list(limit);
  }
}
