import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { RepeatedLog } from '../common/repeated-log';
import type { Post } from '../posts/post';
import { troubleKey } from '../redis/redis-errors';
import { scheduleVersion } from './publish-at';
import { PUBLICATION_QUEUE } from './scheduling.constants';

/** One scheduled version of a post: what a publication job carries (ids, title and time; nothing secret). */
export interface PublicationTarget {
  postId: string;
  version: string;
  publishAt: string;
  title: string;
}

/** Finished jobs kept for the dashboard; Redis memory stays bounded. */
const KEEP_JOBS = { count: 200 };
/** Redis or S3 trouble at the due time is retried for about half an hour; after that the catch-up pass takes over. */
const ATTEMPTS = 12;

export function publicationTarget(post: Post): PublicationTarget {
  return { postId: post.id, version: scheduleVersion(post), publishAt: post.publishAt ?? '', title: post.title };
}

/** The job id is the post and its version: every instance that queues a version queues the same job. */
function jobId(target: PublicationTarget): string {
  return `${target.postId}.${target.version}`;
}

/**
 * The BullMQ queue of upcoming publications: one delayed job per scheduled post version, due at its
 * publishAt. The jobs are the clock, not the record: the posts in S3 are, and the catch-up pass re-creates
 * any job Redis lost. A job whose version is no longer the stored one publishes nothing.
 */
@Injectable()
export class PublicationQueue {
  private readonly repeated = new RepeatedLog(new Logger('Scheduling'));

  constructor(@InjectQueue(PUBLICATION_QUEUE) private readonly queue: Queue<PublicationTarget>) {
    // Without a listener BullMQ prints raw multi-line traces during a Redis outage, outside the JSON logs.
    queue.on('error', (error: Error) => this.repeated.warn(`publication queue: ${error.message}`, troubleKey(error)));
  }

  /** Keeps the queue in step with a post write: drops the job of the version replaced, queues the new one. `before` null: not a valid post. */
  async follow(before: Post | null | undefined, after: Post | undefined): Promise<void> {
    try {
      if (before?.status === 'scheduled') await this.cancel(publicationTarget(before));
      if (after?.status === 'scheduled') await this.plan(publicationTarget(after));
    } catch (error) {
      // The post is saved; the catch-up pass queues (or publishes) it from S3.
      this.repeated.warn(
        `post ${(after ?? before)!.id}: its publication could not be queued now (the catch-up pass will): ${(error as Error).message}`,
        troubleKey(error),
      );
    }
  }

  /** Queues the job that publishes `target` at its publishAt. Queuing a version again (another instance, the catch-up pass) adds nothing. */
  async plan(target: PublicationTarget, now = Date.now()): Promise<void> {
    await this.queue.add(`publish ${target.postId}: ${target.title.slice(0, 80)}`, target, {
      jobId: jobId(target),
      delay: Math.max(0, Date.parse(target.publishAt) - now),
      attempts: ATTEMPTS,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: KEEP_JOBS,
      removeOnFail: KEEP_JOBS,
    });
  }

  /** Removes a version's job unless it is running (then it finds the version replaced and publishes nothing). */
  private async cancel(target: PublicationTarget): Promise<void> {
    await this.queue.remove(jobId(target));
  }
}
