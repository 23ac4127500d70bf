import { Logger } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';
import { S3StorageService } from '../storage/s3-storage.service';
import { quoteEtag } from './etag';
import { Listable } from './paging';

/** How long a listing may be served without asking S3, when no instance has written since. Bounds staleness of edits made directly in the bucket. */
export const INDEX_MAX_STALENESS_MS = 5_000;
const FETCH_CONCURRENCY = 16;

interface Entry<T> {
  doc: T;
  etag: string;
}

/**
 * An in-process copy of one folder, so listing does not read every object on every request.
 * Validated against ListObjectsV2's ETags (only changed objects are fetched again); a Redis counter,
 * bumped by every write through any instance, tells when the copy must be revalidated at once.
 */
export class ContentIndex<T extends Listable> {
  private readonly logger: Logger;
  private readonly entries = new Map<string, Entry<T>>();
  private syncedVersion: string | null = null;
  private syncedAt = 0;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly folder: 'authors' | 'posts',
    private readonly storage: S3StorageService,
    private readonly redis: RedisService,
  ) {
    this.logger = new Logger(`ContentIndex:${folder}`);
  }

  private versionKey(): string {
    return this.redis.key('content', this.folder, 'version');
  }

  /** Every document in the folder, fresh as of the last write through any instance. */
  async all(): Promise<T[]> {
    const version = await this.redis.client.get(this.versionKey()).catch(() => null);
    const fresh = version !== null && version === this.syncedVersion && Date.now() - this.syncedAt < INDEX_MAX_STALENESS_MS;
    if (!fresh) await this.sync(version);
    return Array.from(this.entries.values(), (entry) => entry.doc);
  }

  async remember(doc: T, etag: string): Promise<void> {
    this.entries.set(doc.id, { doc, etag });
    await this.bump();
  }

  async forget(id: string): Promise<void> {
    this.entries.delete(id);
    await this.bump();
  }

  private async bump(): Promise<void> {
    await this.redis.client.incr(this.versionKey()).catch((error: Error) => this.logger.warn(`version bump failed: ${error.message}`));
  }

  private sync(version: string | null): Promise<void> {
    // Concurrent requests share one revalidation instead of listing the bucket once each.
    this.inFlight ??= this.revalidate(version).finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async revalidate(version: string | null): Promise<void> {
    const startedAt = Date.now();
    const listed = await this.storage.list(`${this.folder}/`);
    const seen = new Set<string>();
    const stale: { id: string; key: string }[] = [];
    for (const object of listed) {
      const match = /^[^/]+\/([^/]+)\.json$/.exec(object.key);
      if (match === null) continue;
      seen.add(match[1]);
      if (this.entries.get(match[1])?.etag !== quoteEtag(object.etag)) stale.push({ id: match[1], key: object.key });
    }
    for (const id of this.entries.keys()) if (!seen.has(id)) this.entries.delete(id);
    for (let i = 0; i < stale.length; i += FETCH_CONCURRENCY) {
      await Promise.all(stale.slice(i, i + FETCH_CONCURRENCY).map((item) => this.fetch(item.id, item.key)));
    }
    this.syncedVersion = version;
    this.syncedAt = startedAt;
  }

  private async fetch(id: string, key: string): Promise<void> {
    const stored = await this.storage.getText(key);
    if (stored === null) {
      this.entries.delete(id);
      return;
    }
    try {
      this.entries.set(id, { doc: JSON.parse(stored.body) as T, etag: quoteEtag(stored.etag) });
    } catch {
      this.logger.warn(`${key} is not valid JSON; it is left out of listings until fixed`);
    }
  }
}
