import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadLuaScript } from '../redis/lua-script';
import { RedisService } from '../redis/redis.service';

/** Longer than any write takes (an edit lock is waited for 10 s at most); only a write whose process died lasts this long. */
export const WRITE_NOTE_TTL_MS = 30_000;

const LUA = join(__dirname, 'lua');
const BEGIN = loadLuaScript(LUA, 'begin-write', ['writes'], ['token', 'lapsesAt']);
const END = loadLuaScript(LUA, 'end-write', ['writes'], ['token']);
const COUNT = loadLuaScript(LUA, 'count-writes', ['writes'], ['now']);

/**
 * The content writes in progress on every instance. A write is in progress from before its S3 write until its
 * change is recorded for deploy; in between, S3 already shows the change and no deploy knows it yet. The
 * reconcile pass leaves the bucket alone while any write is in progress (the write records its own change),
 * so an ordinary edit is never taken for a change Redis lost.
 */
@Injectable()
export class WritesInProgress {
  private readonly key: string;

  constructor(private readonly redis: RedisService) {
    this.key = redis.key('content', 'writes');
  }

  /** Runs a write and the recording of its change. A Redis that cannot note it refuses the write (503) before anything reaches S3. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    await this.redis.run(
      BEGIN,
      { writes: this.key },
      { token, lapsesAt: Date.now() + WRITE_NOTE_TTL_MS },
      'Nothing was saved: the write could not be noted',
    );
    try {
      return await work();
    } finally {
      // A note that cannot be removed lapses by itself.
      await this.redis
        .run(END, { writes: this.key }, { token }, 'A finished write could not be crossed off (it lapses within 30 s)')
        .catch(() => undefined);
    }
  }

  async any(): Promise<boolean> {
    return (
      Number(
        await this.redis.run(
          COUNT,
          { writes: this.key },
          { now: Date.now() },
          'The writes in progress could not be counted',
        ),
      ) > 0
    );
  }
}
