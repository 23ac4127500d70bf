import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { BackedOffWorkerHost } from '../redis/backed-off-worker-host';
import { NOTICE_QUEUE } from './notice-queue';
import type { Notice } from './notices';
import { NotifyWebhookClient } from './notify-webhook.client';

/** Delivers queued notices, one at a time; BullMQ retries a failed delivery with backoff. */
@Processor(NOTICE_QUEUE, { concurrency: 1 })
export class NoticeProcessor extends BackedOffWorkerHost {
  private readonly logger = new Logger('Notify');

  constructor(private readonly client: NotifyWebhookClient) {
    super('notice worker', new Logger('Notify'));
  }

  async process(job: Job<Notice>): Promise<void> {
    await this.client.send(job.data);
    this.logger.log(`notice sent: deploy ${job.data.deployId} ${job.data.status}`);
  }

  /** Only the last failed attempt is worth a warning; earlier ones are retried. */
  @OnWorkerEvent('failed')
  onFailed(job: Job<Notice> | undefined, error: Error): void {
    if (job && job.attemptsMade < (job.opts.attempts ?? 1)) return;
    this.logger.warn(
      `notice for deploy ${job?.data.deployId ?? '?'} was not delivered after ${job?.attemptsMade ?? '?'} attempt(s): ${error.message}`,
    );
  }
}
