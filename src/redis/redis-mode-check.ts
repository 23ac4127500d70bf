import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ConfigError } from '../config/config-error';
import { singleServerOptions } from './redis-connection';

/**
 * Refuses to start when REDIS_CLUSTER does not match the server: a plain client on a cluster node gets MOVED for
 * most keys (every write fails while the node looks healthy), and a Cluster client on a single server never
 * connects. Asks the first configured node once at start; when it cannot be reached the service starts anyway
 * (writes answer 503 until Redis is back) and the check is skipped.
 */
@Injectable()
export class RedisModeCheck implements OnModuleInit {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    const clusterEnabled = await this.nodeHasClusterEnabled();
    if (clusterEnabled === undefined || clusterEnabled === this.config.redis.cluster) return;
    if (clusterEnabled) {
      throw new ConfigError(
        'REDIS_CLUSTER',
        'REDIS_URL points at a Redis Cluster node: set REDIS_CLUSTER=true (and QUEUE_PREFIX to a hash tag such as {blog})',
      );
    }
    throw new ConfigError(
      'REDIS_CLUSTER',
      'is true but REDIS_URL points at a Redis server without cluster mode: remove REDIS_CLUSTER or point REDIS_URL at the cluster',
    );
  }

  /** `cluster_enabled` of INFO on the first node, or undefined when it does not answer within 3 s. */
  private async nodeHasClusterEnabled(): Promise<boolean | undefined> {
    const client = new Redis({
      ...singleServerOptions(this.config),
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 3_000,
      connectionName: 'blog-mode-check',
    });
    client.on('error', () => undefined); // unreachable is not this check's business: the service's own connection reports it
    try {
      await client.connect();
      const info = await client.info('cluster');
      return /^cluster_enabled:1/m.test(info);
    } catch {
      return undefined;
    } finally {
      client.disconnect();
    }
  }
}
