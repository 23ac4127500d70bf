import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { RepeatedLog } from '../common/repeated-log';
import { WorkerBackoff } from '../redis/worker-backoff';
import { NOTICE_QUEUE } from './notice-queue';
import type { Notice } from './notices';
import { NotifyWebhookClient } from './notify-webhook.client';

/** Delivers queued notices, one at a time; BullMQ retries a failed delivery with backoff. */
@Processor(NOTICE_QUEUE, { concurrency: 1 })
export class NoticeProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Notify');
  private readonly backoff = new WorkerBackoff('notice worker', () => this.worker, new RepeatedLog(this.logger));

  constructor(private readonly client: NotifyWebhookClient) {
    super();
  }

  async process(job: Job<Notice>): Promise<void> {
    await this.client.send(job.data);
    this.logger.log(`notice sent: deploy ${job.data.deployId} ${job.data.status}`);
  }

  /** Only the last failed attempt is worth a warning; earlier ones are retried. */
  @OnWorkerEvent('failed')
  onFailed(job: Job<Notice> | undefined, error: Error): void {
    if (job && job.attemptsMade < (job.opts.attempts ?? 1)) return;
    this.logger.warn(`notice for deploy ${job?.data.deployId ?? '?'} was not delivered after ${job?.attemptsMade ?? '?'} attempt(s): ${error.message}`);
  }

  /** Redis trouble: logged at most once per 10 s; an error Redis answers with pauses the worker (WorkerBackoff). */
  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.backoff.onError(error);
  }

  @OnWorkerEvent('active')
  onJobActive(): void {
    this.backoff.onHealthy();
  }

  @OnWorkerEvent('drained')
  onQueueDrained(): void {
    this.backoff.onHealthy();
  }

  beforeApplicationShutdown(): void {
    this.backoff.stop();
  }
}
