import { WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Worker } from 'bullmq';
import { within } from '../common/within';

/**
 * How long shutdown waits for a job in progress (a dispatch to GitHub) to finish. Above the GitHub
 * client's 10 s request timeout, so a dispatch ends one way or the other within it; below the 30 s an
 * orchestrator usually grants between SIGTERM and SIGKILL.
 */
export const WORKER_DRAIN_MS = 15_000;

/**
 * Lets the deploy worker finish its job in progress before anything it needs (Redis, the GitHub client,
 * S3) is closed: this runs in beforeApplicationShutdown, ahead of every onApplicationShutdown. The wait is
 * bounded; past it the worker is closed without waiting and its job, still locked in Redis, is taken over
 * by another worker once the lock expires (at-least-once: it may be dispatched twice, never lost).
 */
@Injectable()
export class WorkerDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  /** How long to wait for jobs in progress (tests shorten it). */
  drainMs = WORKER_DRAIN_MS;

  constructor(private readonly discovery: DiscoveryService) {}

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers().map((worker) => this.drain(worker)));
  }

  private workers(): Worker[] {
    return this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost)
      .flatMap((host) => {
        try {
          return [host.worker];
        } catch {
          return []; // never started (shutdown during start-up)
        }
      });
  }

  private async drain(worker: Worker, drainMs = this.drainMs): Promise<void> {
    if (worker.closing) return;
    const busy = worker.isRunning();
    // pause() stops taking jobs and resolves when the ones in progress are done.
    const finished = await within(
      worker.pause().then(() => true),
      drainMs,
      () => false,
    );
    if (finished) {
      if (busy) this.logger.log(`deploy worker ${worker.name} stopped taking jobs; jobs in progress finished`);
      await worker.close();
      return;
    }
    this.logger.warn(
      `a deploy job was still running after ${drainMs} ms: closing without it; another worker takes it over when its lock expires`,
    );
    await worker.close(true);
  }
}
