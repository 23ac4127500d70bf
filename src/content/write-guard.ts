import { RedisService } from '../redis/redis.service';
import { ConditionalWrites } from '../storage/conditional-writes';
import { KeyQueue } from './key-queue';

/**
 * Keeps concurrent writes to one entity from losing each other's updates, the cheapest way the S3 server allows.
 *
 * - S3 enforces conditional writes (AWS, MinIO, moto): S3 is the compare-and-swap. Every write is conditional
 *   (`If-None-Match: *` to create, `If-Match` with the ETag read to replace or delete), a lost race is refused
 *   by S3, and no Redis lock is taken. Writes to one key through this process still go one at a time, so they
 *   reach the listing copy in the order S3 took them.
 * - S3 ignores them (some emulators): a per-key Redis lock serializes the writes of every instance, and a
 *   create reads the key first to see whether it is taken.
 */
export class WriteGuard {
  private readonly local = new KeyQueue();

  constructor(
    private readonly redis: RedisService,
    private readonly conditional: ConditionalWrites,
  ) {}

  /** Runs `work` as the one writer of `key`; `s3Refuses` tells it whether S3 refuses a lost update by itself. */
  async exclusive<R>(key: string, work: (s3Refuses: boolean) => Promise<R>): Promise<R> {
    if (await this.conditional.enforced()) return this.local.run(key, () => work(true));
    return this.redis.withLock(key, () => work(false));
  }
}
