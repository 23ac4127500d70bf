import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisService } from '../redis/redis.service';

/**
 * The version of one content folder across every instance: `n` counts the writes made through the
 * service; `epoch` is random and replaced whenever Redis has lost the count, so a copy can never take a
 * restarted count for one it has already seen.
 */
export interface ContentVersion {
  epoch: string;
  n: number;
}

/** How many recent writes the change log keeps; a copy further behind lists the whole folder instead. */
export const CHANGE_LOG_LENGTH = 2_000;

// KEYS: version hash, change log (sorted set scored by n). ARGV: fresh epoch, id, log length.
const BUMP = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'n', 0)
  redis.call('DEL', KEYS[2])
end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('ZADD', KEYS[2], n, n .. ' ' .. ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[3]) + 1))
return {epoch, n}`;

const INIT = `
if redis.call('HEXISTS', KEYS[1], 'epoch') == 0 then
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'n', 0)
  redis.call('DEL', KEYS[2])
end
return redis.call('HMGET', KEYS[1], 'epoch', 'n')`;

function parse(epoch: unknown, n: unknown): ContentVersion | null {
  return typeof epoch === 'string' && n !== null && n !== undefined ? { epoch, n: Number(n) } : null;
}

/** The small Redis API the listing index needs: read the version, bump it with the id written, and ask what changed. */
export interface ContentVersionStore {
  read(): Promise<ContentVersion | null>;
  /** Like read, but starts a new epoch when Redis holds none. */
  ensure(): Promise<ContentVersion | null>;
  /** Counts a write of `id`; null when Redis could not be reached. */
  bump(id: string): Promise<ContentVersion | null>;
  /** The ids written in (from, to], or null when the log no longer reaches back that far. */
  changedBetween(from: number, to: number): Promise<string[] | null>;
}

/** ContentVersionStore on Redis: a hash `{epoch, n}` and a capped change log, moved together by one script. */
export class RedisContentVersions implements ContentVersionStore {
  private readonly logger: Logger;
  private readonly keys: [string, string];

  constructor(
    private readonly redis: RedisService,
    folder: string,
  ) {
    this.logger = new Logger(`ContentVersion:${folder}`);
    this.keys = [redis.key('content', folder, 'version'), redis.key('content', folder, 'changes')];
  }

  async read(): Promise<ContentVersion | null> {
    const [epoch, n] = await this.redis.client.hmget(this.keys[0], 'epoch', 'n').catch(() => [null, null]);
    return parse(epoch, n);
  }

  async ensure(): Promise<ContentVersion | null> {
    const reply = (await this.redis.client.eval(INIT, 2, ...this.keys, randomUUID()).catch(() => null)) as [string, string] | null;
    return reply === null ? null : parse(reply[0], reply[1]);
  }

  async bump(id: string): Promise<ContentVersion | null> {
    try {
      const [epoch, n] = (await this.redis.client.eval(BUMP, 2, ...this.keys, randomUUID(), id, CHANGE_LOG_LENGTH)) as [string, number];
      return { epoch, n: Number(n) };
    } catch (error) {
      // Other instances then see this write within the staleness bound instead of at once.
      this.logger.warn(`version bump failed: ${(error as Error).message}`);
      return null;
    }
  }

  async changedBetween(from: number, to: number): Promise<string[] | null> {
    if (to <= from) return [];
    const entries = await this.redis.client.zrangebyscore(this.keys[1], `(${from}`, to).catch(() => null);
    if (entries === null || entries.length !== to - from) return null;
    return [...new Set(entries.map((entry) => entry.slice(entry.indexOf(' ') + 1)))];
  }
}
