import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { RepeatedLog } from '../common/repeated-log';
import { WorkerBackoff } from '../redis/worker-backoff';
import type { PublicationTarget } from './publication-queue';
import { PublishOutcome, Publisher } from './publisher';
import { PUBLICATION_QUEUE } from './scheduling.constants';

/**
 * Runs publication jobs when they are due. Short locks, so the job of a killed worker is taken over within
 * seconds; running a job twice is harmless (the publisher publishes a version once).
 */
@Processor(PUBLICATION_QUEUE, { concurrency: 4, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 })
export class PublicationProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly backoff = new WorkerBackoff('publication worker', () => this.worker, new RepeatedLog(new Logger('Scheduling')));

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
