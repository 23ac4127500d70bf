import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadLuaScript } from '../redis/lua-script';
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

/** Both known and equal: a copy synced to one holds every write counted in the other. */
export function sameVersion(a: ContentVersion | null, b: ContentVersion | null): boolean {
  return a !== null && b !== null && a.epoch === b.epoch && a.n === b.n;
}

/** How many recent writes the change log keeps; a copy further behind lists the whole folder instead. */
export const CHANGE_LOG_LENGTH = 2_000;

const LUA = join(__dirname, 'lua');
const BUMP = loadLuaScript(LUA, 'bump-version', ['version', 'changes'], ['freshEpoch', 'id', 'logLength']);
const ENSURE = loadLuaScript(LUA, 'ensure-version', ['version', 'changes'], ['freshEpoch']);
const READ = loadLuaScript(LUA, 'read-version', ['version'], []);
const CHANGED_BETWEEN = loadLuaScript(LUA, 'changed-between', ['changes'], ['from', 'to']);

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
  private readonly keys: { version: string; changes: string };

  constructor(
    private readonly redis: RedisService,
    folder: string,
  ) {
    this.keys = { version: redis.key('content', folder, 'version'), changes: redis.key('content', folder, 'changes') };
  }

  // Reads answer null when Redis cannot be reached: the index then lists S3 (RedisService logs why).
  async read(): Promise<ContentVersion | null> {
    const reply = (await this.redis
      .run(READ, { version: this.keys.version }, {}, 'The content version could not be read')
      .catch(() => null)) as [unknown, unknown] | null;
    return reply === null ? null : parse(reply[0], reply[1]);
  }

  async ensure(): Promise<ContentVersion | null> {
    const reply = (await this.redis
      .run(ENSURE, this.keys, { freshEpoch: randomUUID() }, 'The content version could not be read')
      .catch(() => null)) as [unknown, unknown] | null;
    return reply === null ? null : parse(reply[0], reply[1]);
  }

  async bump(id: string): Promise<ContentVersion | null> {
    // On failure other instances see this write within the staleness bound instead of at once.
    const args = { freshEpoch: randomUUID(), id, logLength: CHANGE_LOG_LENGTH };
    const reply = (await this.redis
      .run(BUMP, this.keys, args, 'The content version could not be counted up')
      .catch(() => null)) as [string, number] | null;
    return reply === null ? null : { epoch: reply[0], n: Number(reply[1]) };
  }

  async changedBetween(from: number, to: number): Promise<string[] | null> {
    if (to <= from) return [];
    const entries = (await this.redis
      .run(CHANGED_BETWEEN, { changes: this.keys.changes }, { from, to }, 'The content change log could not be read')
      .catch(() => null)) as string[] | null;
    if (entries === null || entries.length !== to - from) return null;
    return [...new Set(entries.map((entry) => entry.slice(entry.indexOf(' ') + 1)))];
  }
}
