import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import type { ActionsRun } from '../github/github-runs';
import { loadLuaScript } from '../redis/lua-script';
import { RedisService } from '../redis/redis.service';

/** The last answer to one GitHub query, kept so the next ask can be conditional (a 304 reuses `value`). */
export interface CachedAnswer<T> {
  query: string;
  etag: string;
  value: T;
}

/** Long enough for the slowest poll; an abandoned entry disappears on its own. */
const ANSWER_TTL_MS = 24 * 3_600_000;

const LUA = join(__dirname, 'lua');
const SCRIPTS = {
  claim: loadLuaScript(LUA, 'claim-poll', ['nextPoll'], ['now', 'leaseMs']),
  schedule: loadLuaScript(LUA, 'schedule-poll', ['nextPoll'], ['at']),
  read: loadLuaScript(LUA, 'read-answer', ['answer'], []),
  keep: loadLuaScript(LUA, 'keep-answer', ['answer'], ['json', 'ttlMs']),
};

/**
 * Run tracking's own small state in Redis, shared by every instance: when the next polling pass is due
 * (which doubles as the lease of the instance running it), and the ETag and body of GitHub's last answers.
 * Losing it costs one unconditional request.
 */
@Injectable()
export class RunPollCache {
  private readonly keys: { listing: string; nextPoll: string; run: (id: number) => string };

  constructor(private readonly redis: RedisService) {
    this.keys = {
      listing: redis.key('runs', 'listing'),
      nextPoll: redis.key('runs', 'next-poll'),
      run: (id) => redis.key('runs', 'run', String(id)),
    };
  }

  /** True when this caller runs the pass that is due now; nobody else starts one for `leaseMs`. */
  async claimPoll(now: number, leaseMs: number): Promise<boolean> {
    return (
      (await this.redis.run(
        SCRIPTS.claim,
        { nextPoll: this.keys.nextPoll },
        { now, leaseMs },
        'The run poll could not be scheduled',
      )) === 1
    );
  }

  async schedulePoll(at: number): Promise<void> {
    await this.redis.run(
      SCRIPTS.schedule,
      { nextPoll: this.keys.nextPoll },
      { at },
      'The run poll could not be scheduled',
    );
  }

  listing(query: string): Promise<CachedAnswer<ActionsRun[]> | null> {
    return this.read<ActionsRun[]>(this.keys.listing, query);
  }

  saveListing(answer: CachedAnswer<ActionsRun[]>): Promise<void> {
    return this.keep(this.keys.listing, answer);
  }

  run(id: number): Promise<CachedAnswer<ActionsRun | null> | null> {
    return this.read<ActionsRun | null>(this.keys.run(id), String(id));
  }

  saveRun(id: number, answer: CachedAnswer<ActionsRun | null>): Promise<void> {
    return this.keep(this.keys.run(id), answer);
  }

  private async read<T>(key: string, query: string): Promise<CachedAnswer<T> | null> {
    const stored = await this.redis.run(SCRIPTS.read, { answer: key }, {}, 'A cached GitHub answer could not be read');
    if (typeof stored !== 'string') return null;
    const answer = JSON.parse(stored) as CachedAnswer<T>;
    return answer.query === query ? answer : null;
  }

  private async keep<T>(key: string, answer: CachedAnswer<T>): Promise<void> {
    await this.redis.run(
      SCRIPTS.keep,
      { answer: key },
      { json: JSON.stringify(answer), ttlMs: ANSWER_TTL_MS },
      'A GitHub answer could not be cached',
    );
  }
}
