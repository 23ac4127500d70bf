import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnection, openRedis, singleServerOptions } from './redis-connection';

/**
 * BullMQ's connection settings, for every queue and worker of the service. On one server BullMQ opens its own
 * connections from these options (and closes them). A Redis Cluster needs a Cluster client instead: one is opened
 * here, shared by all queues (workers duplicate it for their blocking reads), and closed at shutdown, after
 * BullMQ has closed its queues and workers (this module is global, so its hooks run last).
 */
@Injectable()
export class QueueConnection implements OnApplicationShutdown {
  private cluster: RedisConnection | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  options(): ConnectionOptions {
    if (!this.config.redis.cluster) return singleServerOptions(this.config);
    // BullMQ's workers block on Redis and need unlimited retries per request.
    this.cluster ??= openRedis(this.config, { maxRetriesPerRequest: null, connectionName: 'blog-queue' });
    return this.cluster;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cluster?.quit().catch(() => this.cluster?.disconnect());
  }
}
