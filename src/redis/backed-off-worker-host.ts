import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { RepeatedLog } from '../common/repeated-log';
import { WorkerBackoff } from './worker-backoff';

/**
 * The base of every BullMQ worker in the service (deploys, publications, notices): wires the worker's events to
 * one WorkerBackoff, so no worker spins on a Redis that answers every command with an error, and each says so
 * at most once per 10 s. A new worker extends this instead of repeating the wiring.
 */
export abstract class BackedOffWorkerHost extends WorkerHost implements BeforeApplicationShutdown {
  private readonly backoff: WorkerBackoff;

  protected constructor(name: string, logger: Logger) {
    super();
    this.backoff = new WorkerBackoff(name, () => this.worker, new RepeatedLog(logger));
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.backoff.onError(error);
  }

  /** A job started or the queue was found empty: Redis answers again. */
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
