import { DomainError } from '../common/domain-errors';

/** What kind of trouble a Redis error is: each needs a different fix from whoever runs the service. */
export type RedisTrouble = 'unreachable' | 'read-only' | 'cluster' | 'out-of-memory' | 'script' | 'other';

const CONNECTION =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|Connection is closed|Stream isn't writeable|max retries per request|enableOfflineQueue|Socket closed|connect ETIMEDOUT|Command timed out/i;

export function classifyRedisError(error: unknown): RedisTrouble {
  const message = error instanceof Error ? error.message : String(error);
  if (/^READONLY\b/.test(message)) return 'read-only';
  if (/^(MOVED|ASK|CLUSTERDOWN|CROSSSLOT|TRYAGAIN)\b/.test(message)) return 'cluster';
  if (/^OOM\b/.test(message)) return 'out-of-memory';
  if (/^NOSCRIPT\b|Error running script|user_script|@user_function|script:\s*\d+/i.test(message)) return 'script';
  if (CONNECTION.test(message)) return 'unreachable';
  return 'other';
}

const CAUSES: Record<RedisTrouble, string> = {
  unreachable: 'Redis cannot be reached',
  'read-only': 'Redis is a read-only replica (after a failover, REDIS_URL may need to point at the new primary)',
  cluster:
    'Redis answered as a cluster node (set REDIS_CLUSTER=true and a {hash-tag} QUEUE_PREFIX, or point REDIS_URL at a standalone Redis)',
  'out-of-memory': 'Redis is out of memory (maxmemory reached)',
  script: 'a Redis script of this service failed (a bug: please report it with the log line)',
  other: 'Redis refused the command',
};

/** The RepeatedLog key of a Redis error: one line per kind of trouble per window, whichever part of the service met it. */
export function troubleKey(error: unknown): string | undefined {
  if (error instanceof RedisCommandError) return `redis ${error.trouble}`;
  const trouble = classifyRedisError(error);
  return trouble === 'other' ? undefined : `redis ${trouble}`;
}

/** One sentence naming the cause, for logs and lastError; the raw reply follows in the log only. */
export function describeRedisTrouble(trouble: RedisTrouble): string {
  return CAUSES[trouble];
}

/**
 * A Redis command failed. `action` says what the service was doing and what that means for the caller
 * ("nothing was saved", "the deploy was not requested"); a script bug is a 500, every other cause a 503
 * worth retrying once Redis is healthy.
 */
export class RedisCommandError extends DomainError {
  readonly status: number;

  constructor(
    readonly trouble: RedisTrouble,
    action: string,
    readonly reply: string,
  ) {
    super(`${action}: ${CAUSES[trouble]}`);
    this.status = trouble === 'script' ? 500 : 503;
  }
}
