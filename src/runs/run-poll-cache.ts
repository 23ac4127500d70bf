import { Injectable } from '@nestjs/common';
import type { ActionsRun } from '../github/github-runs';
import { RedisService } from '../redis/redis.service';

/** The last answer to one GitHub query, kept so the next ask can be conditional (a 304 reuses `runs`). */
export interface CachedAnswer<T> {
  query: string;
  etag: string;
  value: T;
}

/** Long enough for the slowest poll; an abandoned entry disappears on its own. */
const ANSWER_TTL_MS = 24 * 3_600_000;

/**
 * Run tracking's own small state in Redis, shared by every instance: the ETag and body of the last runs
 * listing (and of single runs), and when the next poll is due. Losing it costs one unconditional request.
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

  async listing(query: string): Promise<CachedAnswer<ActionsRun[]> | null> {
    return this.read<ActionsRun[]>(this.keys.listing, query);
  }

  async saveListing(answer: CachedAnswer<ActionsRun[]>): Promise<void> {
    await this.write(this.keys.listing, answer);
  }

  async run(id: number): Promise<CachedAnswer<ActionsRun | null> | null> {
    return this.read<ActionsRun | null>(this.keys.run(id), String(id));
  }

  async saveRun(id: number, answer: CachedAnswer<ActionsRun | null>): Promise<void> {
    await this.write(this.keys.run(id), answer);
  }

  /** Epoch ms of the next poll; 0 when none is scheduled (poll now). */
  async nextPollAt(): Promise<number> {
    return Number((await this.redis.command(() => this.redis.client.get(this.keys.nextPoll))) ?? 0);
  }

  async setNextPollAt(at: number): Promise<void> {
    await this.redis.command(() => this.redis.client.set(this.keys.nextPoll, String(at), 'PX', ANSWER_TTL_MS));
  }

  /** A new dispatch: look for its run at the next tick instead of waiting out a slow interval. */
  async pollSoon(): Promise<void> {
    await this.redis.command(() => this.redis.client.del(this.keys.nextPoll));
  }

  private async read<T>(key: string, query: string): Promise<CachedAnswer<T> | null> {
    const stored = await this.redis.command(() => this.redis.client.get(key));
    if (stored === null) return null;
    const answer = JSON.parse(stored) as CachedAnswer<T>;
    return answer.query === query ? answer : null;
  }

  private async write<T>(key: string, answer: CachedAnswer<T>): Promise<void> {
    await this.redis.command(() => this.redis.client.set(key, JSON.stringify(answer), 'PX', ANSWER_TTL_MS));
  }
}
