import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadLuaScript } from '../redis/lua-script';
import { RedisService } from '../redis/redis.service';

/** Longer than any write takes (an edit lock is waited for 10 s at most); only a write whose process died lasts this long. */
export const WRITE_NOTE_TTL_MS = 30_000;
/**
 * A note older than this is renewed by the next write to begin, so a note never lapses under a write in
 * progress: that write began before the note was this old and ends well within the rest of its life.
 */
const RENEW_AFTER_MS = WRITE_NOTE_TTL_MS / 3;

const LUA = join(__dirname, 'lua');
const BEGIN = loadLuaScript(LUA, 'begin-write', ['writes'], ['token', 'lapsesAt']);
const END = loadLuaScript(LUA, 'end-write', ['writes'], ['token']);
const COUNT = loadLuaScript(LUA, 'count-writes', ['writes'], ['now']);

/**
 * The content writes in progress on every instance. A write is in progress from before its S3 write until its
 * change is recorded for deploy; in between, S3 already shows the change and no deploy knows it yet. The
 * reconcile pass leaves the bucket alone while any write is in progress (the write records its own change),
 * so an ordinary edit is never taken for a change Redis lost.
 *
 * Each process keeps one note in Redis while it has any write in progress, not one per write: concurrent
 * writes share it, so a busy instance pays two Redis round trips per busy period instead of two per write.
 * The note is removed when the last write ends; the removal and a later note go out in order on the one
 * connection, so a write that begins meanwhile is never left unnoted.
 */
@Injectable()
export class WritesInProgress {
  private readonly key: string;
  private readonly token = randomUUID();
  private active = 0;
  /** The note of the current busy period, once asked for; null when this process has no write in progress. */
  private note: Promise<unknown> | null = null;
  private notedAt = 0;

  constructor(private readonly redis: RedisService) {
    this.key = redis.key('content', 'writes');
  }

  /** Runs a write and the recording of its change. A Redis that cannot note it refuses the write (503) before anything reaches S3. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      await this.noted();
      return await work();
    } finally {
      if (--this.active === 0) this.crossOff();
    }
  }

  async any(): Promise<boolean> {
    const count = await this.redis.run(
      COUNT,
      { writes: this.key },
      { now: Date.now() },
      'The writes in progress could not be counted',
    );
    return Number(count) > 0;
  }

  /** The note, in Redis before the caller goes on: written for the first write of a busy period, renewed when old. */
  private noted(): Promise<unknown> {
    const now = Date.now();
    if (this.note === null || now - this.notedAt > RENEW_AFTER_MS) {
      this.notedAt = now;
      const note = this.redis
        .run(
          BEGIN,
          { writes: this.key },
          { token: this.token, lapsesAt: now + WRITE_NOTE_TTL_MS },
          'Nothing was saved: the write could not be noted',
        )
        .catch((error: unknown) => {
          // The next write asks again instead of sharing this failure.
          if (this.note === note) this.note = null;
          throw error;
        });
      this.note = note;
    }
    return this.note;
  }

  private crossOff(): void {
    this.note = null;
    // A note that cannot be removed lapses by itself.
    this.redis
      .run(
        END,
        { writes: this.key },
        { token: this.token },
        'A finished write could not be crossed off (it lapses within 30 s)',
      )
      .catch(() => undefined);
  }
}
