import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { probeKey } from './s3-layout';
import { S3StorageService } from './s3-storage.service';
import { StorageConflictError } from './storage-errors';

/** The probe's first version; every conditional request after it must be refused. */
const PROBE_BODY = '{"probe":"conditional-writes"}';
const STALE_ETAG = '"00000000000000000000000000000000"';

/**
 * Whether the S3 server enforces `If-None-Match: *` and `If-Match` on PutObject and `If-Match` on DeleteObject
 * (AWS S3, MinIO and moto do; some emulators ignore all three). Where it does, S3 itself is the compare-and-swap of every content write and no
 * Redis lock is needed; where it does not, writes are serialized per key by a lock.
 *
 * Learned once, with a short-lived object under the service's own folder (never under authors/ or posts/),
 * removed right after. While the answer is not known (S3 unreachable at start) it is "no": the locked path
 * is safe on every server, and the probe runs again on the next write.
 */
@Injectable()
export class ConditionalWrites implements OnApplicationBootstrap {
  private readonly logger = new Logger(ConditionalWrites.name);
  private known: boolean | null = null;
  private probing: Promise<boolean> | null = null;

  constructor(private readonly storage: S3StorageService) {}

  /** Probed in the background at start, so the first write does not wait for it. */
  onApplicationBootstrap(): void {
    void this.enforced();
  }

  /** The answer when known; otherwise probes (once at a time) and answers "no" if the probe cannot finish. */
  enforced(): Promise<boolean> {
    if (this.known !== null) return Promise.resolve(this.known);
    this.probing ??= this.probe()
      .then((enforced) => {
        this.known = enforced;
        this.logger.log(
          enforced
            ? 'S3 enforces conditional writes: content writes use If-Match / If-None-Match alone, without a Redis lock'
            : 'S3 ignores If-Match / If-None-Match: content writes are serialized per key by a Redis lock',
        );
        return enforced;
      })
      .catch((error: Error) => {
        this.logger.warn(
          `could not learn whether S3 enforces conditional writes (${error.message}); writes take the Redis lock meanwhile`,
        );
        return false;
      })
      .finally(() => (this.probing = null));
    return this.probing;
  }

  private async probe(): Promise<boolean> {
    const key = probeKey('conditional-writes');
    await this.storage.putJson(key, PROBE_BODY);
    try {
      const refusesOverwrite = await this.refused(() => this.storage.putJson(key, PROBE_BODY, { ifNoneMatch: '*' }));
      const refusesStale = await this.refused(() => this.storage.putJson(key, PROBE_BODY, { ifMatch: STALE_ETAG }));
      const refusesStaleDelete = await this.refused(() => this.storage.delete(key, { ifMatch: STALE_ETAG }));
      return refusesOverwrite && refusesStale && refusesStaleDelete;
    } finally {
      await this.storage
        .delete(key)
        .catch((error: Error) =>
          this.logger.warn(`the probe object ${this.storage.objectKey(key)} could not be removed: ${error.message}`),
        );
    }
  }

  private async refused(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return false;
    } catch (error) {
      if (error instanceof StorageConflictError) return true;
      throw error;
    }
  }
}
