import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisService } from '../redis/redis.service';
import { S3StorageService } from '../storage/s3-storage.service';
import { quoteEtag } from './etag';
import { Listable, newestFirst } from './paging';

/** How long a listing may be served without asking S3, when no instance has written since. Bounds staleness of edits made directly in the bucket. */
export const INDEX_MAX_STALENESS_MS = 5_000;
/** A read of a copy older than this (but within the bound) is answered at once and revalidates in the background, so steady readers never wait for S3. */
export const INDEX_REFRESH_AHEAD_MS = 3_000;
const FETCH_CONCURRENCY = 16;

type Folder = 'authors' | 'posts';

interface Entry<T> {
  doc: T;
  etag: string;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringArray = (value: unknown): boolean => Array.isArray(value) && value.every(isString);

/** What listing and filtering rely on, so one hand-edited object cannot break every listing. */
const SHAPES: Record<Folder, (doc: Record<string, unknown>) => boolean> = {
  authors: (doc) => isString(doc.name),
  posts: (doc) => isString(doc.title) && isString(doc.status) && isStringArray(doc.authorIds) && (doc.tags === undefined || isStringArray(doc.tags)),
};

/**
 * An in-process copy of one folder, so listing does not read every object on every request.
 * Validated against ListObjectsV2's ETags (only changed objects are fetched again). A version token in
 * Redis, replaced by every write through any instance, tells when the copy must be revalidated before
 * answering; edits made directly in the bucket show up within INDEX_MAX_STALENESS_MS.
 */
export class ContentIndex<T extends Listable> {
  private readonly logger: Logger;
  private readonly entries = new Map<string, Entry<T>>();
  /** ETags of objects that are not valid documents: skipped, and not fetched again until they change. */
  private readonly rejected = new Map<string, string>();
  /** Newest first; rebuilt after any change to `entries`. */
  private snapshot: T[] | null = null;
  private syncedVersion: string | null = null;
  private syncedAt = Number.NEGATIVE_INFINITY;
  /** Revalidations are numbered as they start; `finished` is the number of the last one that completed. */
  private started = 0;
  private finished = 0;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly folder: Folder,
    private readonly storage: S3StorageService,
    private readonly redis: RedisService,
  ) {
    this.logger = new Logger(`ContentIndex:${folder}`);
  }

  private versionKey(): string {
    return this.redis.key('content', this.folder, 'version');
  }

  /** Every document in the folder, newest first, including every write acknowledged (by any instance) before the call. */
  async all(): Promise<T[]> {
    // A revalidation that was already running when this call began may have listed the bucket before a write
    // acknowledged just before the call: only one that starts later is sure to include it.
    const needed = this.started + 1;
    const version = await this.readVersion();
    const age = Date.now() - this.syncedAt;
    if (version === null || version !== this.syncedVersion || age >= INDEX_MAX_STALENESS_MS) {
      while (this.finished < needed) await this.revalidateShared();
    } else if (age >= INDEX_REFRESH_AHEAD_MS && this.inFlight === null) {
      this.revalidateShared().catch((error: Error) => this.logger.warn(`background revalidation failed: ${error.message}`));
    }
    this.snapshot ??= Array.from(this.entries.values(), (entry) => entry.doc).sort(newestFirst);
    // A copy of the sorted snapshot: callers may sort or splice it; copying 2,000 references costs microseconds.
    return this.snapshot.slice();
  }

  /** Called after a successful write through this instance; the new version token makes every other instance revalidate. */
  async remember(doc: T, etag: string): Promise<void> {
    this.entries.set(doc.id, { doc, etag: quoteEtag(etag) });
    this.snapshot = null;
    await this.bump();
  }

  async forget(id: string): Promise<void> {
    if (this.entries.delete(id)) this.snapshot = null;
    await this.bump();
  }

  /** A random token rather than a counter: a Redis that lost its data cannot hand out a version this copy already saw. */
  private async bump(): Promise<void> {
    await this.redis.client.set(this.versionKey(), randomUUID()).catch((error: Error) => this.logger.warn(`version bump failed: ${error.message}`));
  }

  private async readVersion(): Promise<string | null> {
    return this.redis.client.get(this.versionKey()).catch(() => null);
  }

  /** Concurrent readers share one revalidation instead of listing the bucket once each. */
  private revalidateShared(): Promise<void> {
    if (this.inFlight === null) {
      const number = ++this.started;
      this.inFlight = this.revalidate(number).finally(() => (this.inFlight = null));
    }
    return this.inFlight;
  }

  private async revalidate(number: number): Promise<void> {
    const startedAt = Date.now();
    // Read before listing: the copy then holds at least every write that replaced this token.
    const version = await this.currentOrNewVersion();
    const listed = await this.storage.list(`${this.folder}/`);
    const seen = new Set<string>();
    const stale: { id: string; key: string }[] = [];
    for (const object of listed) {
      const match = /^[^/]+\/([^/]+)\.json$/.exec(object.key);
      if (match === null) continue;
      const [, id] = match;
      const etag = quoteEtag(object.etag);
      seen.add(id);
      if (this.entries.get(id)?.etag !== etag && this.rejected.get(id) !== etag) stale.push({ id, key: object.key });
    }
    for (const id of this.entries.keys()) if (!seen.has(id)) this.drop(id);
    for (const id of this.rejected.keys()) if (!seen.has(id)) this.rejected.delete(id);
    await inPool(stale, FETCH_CONCURRENCY, (item) => this.fetch(item.id, item.key));
    this.syncedVersion = version;
    this.syncedAt = startedAt;
    this.finished = number;
  }

  /** With no token in Redis (first start, or Redis lost its data) one is set, so readers are not sent to S3 on every request. */
  private async currentOrNewVersion(): Promise<string | null> {
    const version = await this.readVersion();
    if (version !== null) return version;
    await this.redis.client.set(this.versionKey(), randomUUID(), 'NX').catch(() => null);
    return this.readVersion();
  }

  private async fetch(id: string, key: string): Promise<void> {
    const stored = await this.storage.getText(key);
    if (stored === null) {
      this.drop(id);
      return;
    }
    const doc = this.parse(id, stored.body);
    if (doc === null) {
      this.logger.warn(`${key} is not a valid ${this.folder.slice(0, -1)} document; it is left out of listings until fixed`);
      this.drop(id);
      this.rejected.set(id, quoteEtag(stored.etag));
      return;
    }
    this.rejected.delete(id);
    this.entries.set(id, { doc, etag: quoteEtag(stored.etag) });
    this.snapshot = null;
  }

  private parse(id: string, body: string): T | null {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return null;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const doc = value as Record<string, unknown>;
    return doc.id === id && isString(doc.updatedAt) && SHAPES[this.folder](doc) ? (value as T) : null;
  }

  private drop(id: string): void {
    if (this.entries.delete(id)) this.snapshot = null;
  }
}

/** Runs `work` over `items` with at most `limit` at a time (a pool, not batches: one slow object does not stall the rest). */
async function inPool<I>(items: readonly I[], limit: number, work: (item: I) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
