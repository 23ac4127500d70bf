import { Injectable, Logger } from '@nestjs/common';
import { NotFoundError, PreconditionFailedError } from '../common/domain-errors';
import { UnreadableDocumentError } from '../content/content-errors';
import { contentChange } from '../content/content-change';
import { ContentEvents } from '../content/content-events';
import { PostRepository } from '../content/repositories';
import { WritesInProgress } from '../content/writes-in-progress';
import { affectsSite } from '../content/site-rule';
import type { PublicationTarget } from './publication-queue';
import { publishedVersion, scheduleVersion } from './publish-at';

export type PublishOutcome = 'published' | 'not-due' | 'superseded' | 'gone';

/** The stored post is no longer the scheduled version the publication was planned for. */
class Superseded extends Error {}
/** Asked before publishAt (a job woken early, clocks of instances apart): never publish ahead of time. */
class NotDue extends Error {}

/** Past this, a publication is reported as late (the worker, the service or Redis was down at its time). */
export const LATE_AFTER_MS = 2_000;

/**
 * Publishes a scheduled post version: rewrites its object (published, publishedAt = publishAt, updated now)
 * through the content write path, under the per-post lock and only while the stored post is still that
 * version. So a version is published at most once however many workers, jobs and catch-up passes try it, an
 * edit made meanwhile wins (its own schedule, if any, applies), and a deleted post stays deleted.
 */
@Injectable()
export class Publisher {
  private readonly logger = new Logger('Scheduling');

  constructor(
    private readonly posts: PostRepository,
    private readonly events: ContentEvents,
    private readonly writes: WritesInProgress,
  ) {}

  /** A content write like an API edit: in progress (for the reconcile pass) until its change is recorded. */
  publish(target: PublicationTarget): Promise<PublishOutcome> {
    return this.writes.during(() => this.rewrite(target));
  }

  private async rewrite(target: PublicationTarget): Promise<PublishOutcome> {
    let published;
    try {
      published = await this.posts.update(target.postId, undefined, (current) => {
        if (current.status !== 'scheduled' || scheduleVersion(current) !== target.version) throw new Superseded();
        const now = Date.now();
        if (Date.parse(target.publishAt) > now) throw new NotDue();
        return publishedVersion(current, now);
      });
    } catch (error) {
      if (error instanceof NotDue) return 'not-due';
      if (error instanceof NotFoundError) return this.skipped(target, 'gone', 'the post was deleted');
      // A stored object that is no longer a valid post (written behind the service's back) is not the scheduled version either.
      if (
        error instanceof Superseded ||
        error instanceof PreconditionFailedError ||
        error instanceof UnreadableDocumentError
      ) {
        return this.skipped(target, 'superseded', 'the post was changed since it was scheduled');
      }
      throw error;
    }
    const { before, after } = published;
    const post = after.doc;
    const lateMs = Date.parse(post.updatedAt) - Date.parse(target.publishAt);
    if (lateMs > LATE_AFTER_MS) {
      this.logger.log(
        `post ${post.id} published late, by ${seconds(lateMs)}: it was due at ${target.publishAt} (no worker was running then, or Redis had lost its schedule)`,
      );
    } else {
      this.logger.log(`post ${post.id} published at its publishAt ${target.publishAt} (+${lateMs} ms)`);
    }
    // A change like any other: it is deployed after the quiet window, coalesced with other edits.
    if (affectsSite('post', before, post)) await this.events.publish(contentChange('post', post.id, 'updated', after));
    return 'published';
  }

  private skipped(target: PublicationTarget, outcome: PublishOutcome, why: string): PublishOutcome {
    this.logger.debug(`post ${target.postId} (version ${target.version}) not published: ${why}`);
    return outcome;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
