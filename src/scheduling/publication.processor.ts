import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { BackedOffWorkerHost } from '../redis/backed-off-worker-host';
import type { PublicationTarget } from './publication-queue';
import { PublishOutcome, Publisher } from './publisher';
import { PUBLICATION_QUEUE } from './scheduling.constants';

/**
 * Runs publication jobs when they are due. Short locks, so the job of a killed worker is taken over within
 * seconds; running a job twice is harmless (the publisher publishes a version once).
 */
@Processor(PUBLICATION_QUEUE, { concurrency: 4, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 })
export class PublicationProcessor extends BackedOffWorkerHost {
  constructor(private readonly publisher: Publisher) {
    super('publication worker', new Logger('Scheduling'));
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
}
