import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { RepeatedLog } from '../common/repeated-log';
import type { Notice } from './notices';

export const NOTICE_QUEUE = 'notices';

/** Delivery attempts per notice, spaced 1 s, 2 s, 4 s, 8 s apart. */
export const NOTICE_ATTEMPTS = 5;
const KEEP_JOBS = { count: 200 };

/**
 * Notices wait in a BullMQ queue, so a slow or failing receiver never holds up a deploy, and a notice
 * whose instance dies before delivering it is delivered by another. The job id makes a notice unique
 * per deploy and status: the same transition reported twice sends one notice.
 */
@Injectable()
export class NoticeQueue {
  private readonly repeated = new RepeatedLog(new Logger('Notify'));

  constructor(@InjectQueue(NOTICE_QUEUE) private readonly queue: Queue<Notice>) {
    queue.on('error', (error: Error) => this.repeated.warn(`notice queue: ${error.message}`));
  }

  async add(notice: Notice, kind: 'failure' | 'recovery'): Promise<void> {
    await this.queue.add(`${kind} ${notice.deployId}`, notice, {
      jobId: `${kind}.${notice.deployId}.${notice.status}`,
      attempts: NOTICE_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: KEEP_JOBS,
      removeOnFail: KEEP_JOBS,
    });
  }
}
