import { accessSync, constants } from 'node:fs';
import { ConfigError } from './config-error';

export interface RedisConfig {
  /** The URLs of REDIS_URL: one server, or with `cluster` the seed nodes of a Redis Cluster. */
  urls: string[];
  cluster: boolean;
  /** PEM file of the CA that signed the server certificate of `rediss://` URLs (default: the system's CAs). */
  tlsCaFile?: string;
}

/**
 * Whether every key starting with `prefix` hashes to one Cluster slot: Redis hashes only the part between the
 * first `{` and the next `}` when it is not empty, so `{blog}` and `app{blog}` qualify and `blog` does not.
 */
export function isHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open >= 0 && prefix.indexOf('}', open + 1) > open + 1;
}

function parseUrl(raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL', `"${raw.replace(/\/\/[^@/]*@/, '//***@')}" is not a valid URL`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new ConfigError('REDIS_URL', `must use redis: or rediss:, got ${parsed.protocol}`);
  return raw.replace(/\/+$/, '');
}

/** REDIS_URL, REDIS_CLUSTER and REDIS_TLS_CA_FILE, checked against QUEUE_PREFIX. */
export function redisConfig(env: Record<string, string | undefined>, queuePrefix: string): RedisConfig {
  const flag = (env.REDIS_CLUSTER ?? '').trim().toLowerCase();
  if (!['', 'true', 'false'].includes(flag))
    throw new ConfigError('REDIS_CLUSTER', `must be true or false, got "${flag}"`);
  const cluster = flag === 'true';
  const raw = (env.REDIS_URL ?? '').trim() || 'redis://127.0.0.1:6379';
  const urls = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(parseUrl);
  if (urls.length > 1 && !cluster)
    throw new ConfigError('REDIS_URL', 'lists several servers: that is for a Redis Cluster, so set REDIS_CLUSTER=true');
  if (cluster && !isHashTag(queuePrefix)) {
    throw new ConfigError(
      'QUEUE_PREFIX',
      `must be a hash tag such as {${queuePrefix.replace(/[{}]/g, '') || 'blog'}} with REDIS_CLUSTER=true, so every queue key lands in one slot; got "${queuePrefix}"`,
    );
  }
  const tlsCaFile = env.REDIS_TLS_CA_FILE?.trim() || undefined;
  if (tlsCaFile !== undefined) {
    try {
      accessSync(tlsCaFile, constants.R_OK);
    } catch {
      throw new ConfigError('REDIS_TLS_CA_FILE', `cannot read ${tlsCaFile}`);
    }
  }
  return { urls, cluster, tlsCaFile };
}
