import { Injectable, Logger } from '@nestjs/common';
import type { ContentChange } from './content-change';

export type { ChangeAction, ContentChange, EntityKind } from './content-change';

export type ContentChangeListener = (change: ContentChange) => Promise<void>;

/**
 * Where the content services report a change that affects the published site, after its S3 write and
 * before the 2xx. The deploy feature subscribes; content knows nothing about deploys.
 */
@Injectable()
export class ContentEvents {
  private readonly logger = new Logger(ContentEvents.name);
  private readonly listeners: ContentChangeListener[] = [];

  subscribe(listener: ContentChangeListener): void {
    this.listeners.push(listener);
  }

  /**
   * A listener failure does not undo the S3 write, which has already happened; the reconcile pass
   * (S3 compared with what was last dispatched) deploys the change once the queue is back.
   */
  async publish(change: ContentChange): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(change);
      } catch (error) {
        this.logger.error(
          `${change.kind} ${change.id} was saved but its deploy could not be queued (the reconcile pass will pick it up): ${(error as Error).message}`,
        );
      }
    }
  }
}
