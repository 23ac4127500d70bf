import { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { AppConfig } from '../config/app-config';

/** What every connection the service opens is: one Redis server, or a Redis Cluster client. */
export type RedisConnection = Redis | Cluster;

/** Reconnect forever with a capped delay: a Redis restart (or a failover) must not need a service restart. */
export function reconnectDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), 2_000);
}

/** The TLS settings of `rediss://` URLs: the configured CA when one is given, else the system's CAs. */
function tlsOptions(config: AppConfig, url: URL): ConnectionOptions | undefined {
  if (url.protocol !== 'rediss:') return undefined;
  return config.redis.tlsCaFile === undefined ? {} : { ca: readFileSync(config.redis.tlsCaFile, 'utf8') };
}

/** Credentials, database and TLS from one URL; host and port are the caller's business. */
function nodeOptions(config: AppConfig, url: URL): RedisOptions {
  return {
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls: tlsOptions(config, url),
  };
}

/** Everything needed to reach the one configured server (not for cluster mode, which needs a Cluster client). */
export function singleServerOptions(
  config: AppConfig,
): Omit<RedisOptions, 'retryStrategy'> & { retryStrategy: typeof reconnectDelay } {
  const url = new URL(config.redis.urls[0]);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    db: Number(url.pathname.slice(1) || 0),
    ...nodeOptions(config, url),
    retryStrategy: reconnectDelay,
    enableReadyCheck: true,
  };
}

/**
 * Opens a connection to the configured Redis: a plain client for one server, or, with REDIS_CLUSTER=true, an
 * ioredis Cluster seeded from every URL in REDIS_URL, which follows MOVED/ASK redirections and slot migrations.
 * `options` are the caller's per-connection settings (offline queue, retries per request, name), applied the
 * same way in both modes. Every Redis connection of the service (its own commands, BullMQ) is opened here.
 */
export function openRedis(config: AppConfig, options: RedisOptions = {}): RedisConnection {
  if (!config.redis.cluster) return new Redis({ ...singleServerOptions(config), ...options });
  const [first, ...others] = config.redis.urls.map((raw) => new URL(raw));
  const { retryStrategy, enableOfflineQueue, enableReadyCheck, ...perNode } = {
    retryStrategy: reconnectDelay,
    enableReadyCheck: true,
    ...options,
  };
  const clusterOptions: ClusterOptions = {
    clusterRetryStrategy: retryStrategy ?? undefined,
    enableOfflineQueue,
    enableReadyCheck,
    // Every node takes the first seed's credentials and TLS settings (a cluster shares them).
    redisOptions: { ...nodeOptions(config, first), ...perNode },
    // Slot moves (resharding, failover) are followed by redirections; a periodic refresh catches the rest.
    slotsRefreshInterval: 5_000,
  };
  return new Cluster(
    [first, ...others].map((url) => ({ host: url.hostname, port: Number(url.port || 6379) })),
    clusterOptions,
  );
}

/** `host:port` of the first configured node, for messages (never the credentials). */
export function redisDisplayName(config: AppConfig): string {
  const url = new URL(config.redis.urls[0]);
  return `${url.protocol}//${url.host}${config.redis.cluster ? ` (cluster, ${config.redis.urls.length} seed node(s))` : ''}`;
}
