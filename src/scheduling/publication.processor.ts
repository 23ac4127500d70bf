import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import type { PublicationTarget } from './publication-queue';
import { PublishOutcome, Publisher } from './publisher';
import { PUBLICATION_QUEUE } from './scheduling.constants';

/**
 * Runs publication jobs when they are due. Short locks, so the job of a killed worker is taken over within
 * seconds; running a job twice is harmless (the publisher publishes a version once).
 */
@Processor(PUBLICATION_QUEUE, { concurrency: 4, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 })
export class PublicationProcessor extends WorkerHost {
  private readonly logger = new Logger('Scheduling');

  constructor(private readonly publisher: Publisher) {
    super();
  }

  async process(job: Job<PublicationTarget>, token?: string): Promise<PublishOutcome> {
    const outcome = await this.publisher.publish(job.data);
    if (outcome === 'not-due') {
      // Back to sleep until its time (a delayed job again; does not use an attempt).
      await job.moveToDelayed(Date.parse(job.data.publishAt), token);
      throw new DelayedError();
    }
    return outcome;
  }

  /** Connection trouble (a Redis outage): logged as one line; the worker reconnects by itself. */
  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.warn(`publication worker: ${error.message}`);
  }
}
