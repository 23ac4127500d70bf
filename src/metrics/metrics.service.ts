import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DeployEvents, DeployTransition } from '../deploy/deploy-events';
import { DeployQueue } from '../deploy/deploy-queue';
import { DeployState } from '../deploy/deploy-state';
import type { DeployStatus } from '../deploy/deploy.types';

/** The statuses `blog_deploys_total` counts: where a deploy's dispatch, and later its build, ends. */
const COUNTED: readonly DeployStatus[] = ['dispatched', 'failed', 'dry-run', 'live', 'build-failed'];

/**
 * The Prometheus metrics of this process (GET /metrics). Deploy counters and the dispatch delay count the
 * transitions this process made; the pending-changes and queue gauges are read from Redis at each scrape, so
 * every instance reports the same values for them. One registry per app, so several apps in one process
 * (tests) do not share series.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration; route is the route pattern (e.g. /posts/:id), or "unmatched".',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly deploys = new Counter({
    name: 'blog_deploys_total',
    help: 'Deploys that reached a status: dispatched, failed, dry-run, live or build-failed.',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly dispatchDelay = new Histogram({
    name: 'blog_dispatch_delay_seconds',
    help: 'How long after its scheduled time a deploy started dispatching.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  private state!: DeployState;
  private queue!: DeployQueue;

  // The deploy classes are looked up rather than injected: the deploy module is built per configuration
  // (DeployModule.forRoot), and metrics only read it.
  constructor(private readonly modules: ModuleRef) {
    collectDefaultMetrics({ register: this.registry });
    const pending = async (): Promise<number> => {
      const { next } = await this.state.pointers();
      if (!next || (next.status !== 'pending' && next.status !== 'held')) return 0;
      return (await this.state.get(next.deployId))?.changeCount ?? 0;
    };
    new Gauge({
      name: 'blog_deploy_pending_changes',
      help: 'Changes waiting for a dispatch (in the pending or held deploy).',
      registers: [this.registry],
      async collect() {
        this.reset();
        this.set(await pending().catch(() => Number.NaN));
      },
    });
    const counts = () => this.queue.jobCounts();
    new Gauge({
      name: 'blog_queue_jobs',
      help: 'Deploy jobs in the BullMQ queue by state.',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const byState: Record<string, number> = await counts().catch(() => ({}));
        for (const [state, count] of Object.entries(byState)) this.set({ state }, count);
      },
    });
  }

  onModuleInit(): void {
    this.state = this.modules.get(DeployState, { strict: false });
    this.queue = this.modules.get(DeployQueue, { strict: false });
    this.modules.get(DeployEvents, { strict: false }).subscribe((transition) => this.count(transition));
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  private count({ deploy, from, to, at }: DeployTransition): void {
    if (COUNTED.includes(to)) this.deploys.inc({ status: to });
    // The first attempt only: a retry's wait is the backoff, not a delay.
    if (to === 'dispatching' && from !== 'retrying' && deploy.scheduledFor !== null) {
      this.dispatchDelay.observe(Math.max(0, at - Date.parse(deploy.scheduledFor)) / 1000);
    }
  }
}
