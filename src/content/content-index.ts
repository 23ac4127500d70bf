import { Logger } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';
import { S3StorageService } from '../storage/s3-storage.service';
import { contentFolder, contentKey, parseContentKey } from '../storage/s3-layout';
import type { EntityKind } from './content-change';
import type { Readout } from './stored-document';
import { ContentVersion, ContentVersionStore, RedisContentVersions, sameVersion } from './content-version';
import { quoteEtag } from './etag';
import { Listable, newestFirst } from './paging';
import { inPool } from '../common/in-pool';

/** How long a listing may be served without listing the bucket. Bounds the staleness of edits made directly in the bucket. */
export const INDEX_MAX_STALENESS_MS = 5_000;
/** A read of a copy older than this (but within the bound) is answered at once and relists in the background, so steady readers never wait for S3. */
export const INDEX_REFRESH_AHEAD_MS = 3_000;
const FETCH_CONCURRENCY = 16;

/** What the copy looked like when a write began (ContentIndex.beforeWrite). */
export interface WriteMark {
  readonly quiet: boolean;
  readonly started: number;
}

interface Entry<T> {
  doc: T;
  etag: string;
}

/**
 * An in-process copy of one folder, so listing does not read every object on every request.
 *
 * Writes through any instance count up a version in Redis and log the id written (content-version.ts).
 * Before answering, a read compares versions: a copy behind by a few writes fetches just those objects;
 * a copy older than INDEX_MAX_STALENESS_MS, or whose log no longer reaches back, lists the folder and
 * fetches only objects whose ETag changed. So a write acknowledged by any instance is in the next read
 * through every instance, and edits made directly in the bucket show up within the bound.
 */
export class ContentIndex<T extends Listable> {
  private readonly logger: Logger;
  private readonly entries = new Map<string, Entry<T>>();
  /** ETags of objects that are not valid documents: skipped, and not fetched again until they change. */
  private readonly rejected = new Map<string, string>();
  /** Newest first; rebuilt after any change to `entries`. */
  private snapshot: T[] | null = null;
  /** The copy holds every write counted up to this version. */
  private synced: ContentVersion | null = null;
  /**
   * When the last full listing finished. Ages count from here, not from its start: in a bucket so large that a
   * listing takes longer than the staleness bound, counting from the start would make every read wait for a
   * new listing. Edits made directly in the bucket so show up within the bound plus one listing's duration.
   */
  private listedAt = Number.NEGATIVE_INFINITY;
  /** Refreshes are numbered as they start; `finished` is the number of the last one that completed. */
  private started = 0;
  private finished = 0;
  private inFlight: Promise<void> | null = null;
  private readonly versions: ContentVersionStore;

  constructor(
    private readonly kind: EntityKind,
    private readonly storage: S3StorageService,
    redis: RedisService,
    /** Reads a stored object as a document, or says what is wrong with it (stored-document.ts). */
    private readonly read: (id: string, body: string) => Readout<T>,
    versions?: ContentVersionStore,
  ) {
    this.logger = new Logger(`ContentIndex:${kind}`);
    this.versions = versions ?? new RedisContentVersions(redis, kind);
  }

  /** Every document in the folder, newest first, including every write acknowledged (by any instance) before the call. */
  async all(): Promise<readonly T[]> {
    // A refresh already running when this call began may have read S3 before a write acknowledged just
    // before the call: only one that starts later is sure to include it.
    const needed = this.started + 1;
    const version = await this.versions.read();
    const age = Date.now() - this.listedAt;
    // Past the staleness bound a read waits for a listing, unless one is already running: in a large bucket a
    // listing takes seconds, and readers are then answered from the copy meanwhile instead of queueing behind it.
    const listingRuns = this.inFlight !== null && this.listedAt > Number.NEGATIVE_INFINITY;
    if (!sameVersion(version, this.synced) || (age >= INDEX_MAX_STALENESS_MS && !listingRuns)) {
      while (this.finished < needed) await this.refreshShared(false);
    } else if (age >= INDEX_REFRESH_AHEAD_MS && this.inFlight === null) {
      this.refreshShared(true).catch((error: Error) => this.logger.warn(`background listing failed: ${error.message}`));
    }
    // Shared, not copied (callers get it read-only): a listing page over 20,000 posts then copies nothing.
    this.snapshot ??= Array.from(this.entries.values(), (entry) => entry.doc).sort(newestFirst);
    return this.snapshot;
  }

  /**
   * The document this copy holds for `id` when it is the object whose ETag is `etag`; undefined otherwise. Asks
   * neither S3 nor Redis: for a caller that has just listed the bucket and only needs to read what changed.
   */
  peek(id: string, etag: string): T | undefined {
    const entry = this.entries.get(id);
    return entry !== undefined && entry.etag === quoteEtag(etag) ? entry.doc : undefined;
  }

  /**
   * Taken just before a write's S3 request and handed to remember/forget: a refresh that starts in between may
   * already hold a later version of the object (written through another instance), so the copy must not then
   * count itself current without asking.
   */
  beforeWrite(): WriteMark {
    return { quiet: this.inFlight === null, started: this.started };
  }

  /** Called after a successful write through this instance, with the new object's ETag. */
  async remember(doc: T, etag: string, mark: WriteMark = this.beforeWrite()): Promise<void> {
    await this.changedHere(doc.id, mark, () => this.set(doc.id, doc, etag));
  }

  async forget(id: string, mark: WriteMark = this.beforeWrite()): Promise<void> {
    await this.changedHere(id, mark, () => this.drop(id));
  }

  /**
   * Applies a write made here and counts it in Redis. When the count shows no other write since this copy
   * was synced, and no refresh touched the copy since the write began, the copy is current without asking S3.
   */
  private async changedHere(id: string, mark: WriteMark, apply: () => void): Promise<void> {
    apply();
    const version = await this.versions.bump(id);
    const untouched = mark.quiet && this.started === mark.started;
    if (untouched && version !== null && this.synced?.epoch === version.epoch && this.synced.n === version.n - 1)
      this.synced = version;
  }

  /** Concurrent readers share one refresh instead of reading S3 once each. */
  private refreshShared(relist: boolean): Promise<void> {
    if (this.inFlight === null) {
      const number = ++this.started;
      this.inFlight = this.refresh(number, relist).finally(() => (this.inFlight = null));
    }
    return this.inFlight;
  }

  private async refresh(number: number, relist: boolean): Promise<void> {
    const startedAt = Date.now();
    // Read before touching S3: the copy then holds at least every write counted in this version.
    const version = await this.versions.ensure();
    const synced = this.synced;
    const canCatchUp =
      !relist &&
      version !== null &&
      synced !== null &&
      version.epoch === synced.epoch &&
      startedAt - this.listedAt < INDEX_MAX_STALENESS_MS;
    const written = canCatchUp ? await this.versions.changedBetween(synced.n, version.n) : null;
    if (written !== null) {
      await inPool(written, FETCH_CONCURRENCY, (id) => this.fetch(id, contentKey(this.kind, id)));
    } else {
      await this.relist();
      this.listedAt = Date.now();
    }
    this.synced = version;
    this.finished = number;
  }

  /** Lists the folder and fetches only the objects whose ETag differs from the copy's. */
  private async relist(): Promise<void> {
    const listed = await this.storage.list(contentFolder(this.kind));
    const seen = new Set<string>();
    const stale: { id: string; key: string }[] = [];
    for (const object of listed) {
      const id = parseContentKey(object.key)?.id;
      if (id === undefined) continue;
      const etag = quoteEtag(object.etag);
      seen.add(id);
      if (this.entries.get(id)?.etag !== etag && this.rejected.get(id) !== etag) stale.push({ id, key: object.key });
    }
    for (const id of this.entries.keys()) if (!seen.has(id)) this.drop(id);
    for (const id of this.rejected.keys()) if (!seen.has(id)) this.rejected.delete(id);
    await inPool(stale, FETCH_CONCURRENCY, (item) => this.fetch(item.id, item.key));
  }

  private async fetch(id: string, key: string): Promise<void> {
    const stored = await this.storage.getText(key);
    if (stored === null) {
      this.drop(id);
      this.rejected.delete(id);
      return;
    }
    const read = this.read(id, stored.body);
    if (read.problem !== undefined) {
      // Once per version of the object: the ETag is remembered, so the next listings skip it quietly.
      this.logger.warn(`${this.storage.objectKey(key)} is left out of listings until fixed: ${read.problem}`);
      this.drop(id);
      this.rejected.set(id, quoteEtag(stored.etag));
      return;
    }
    this.rejected.delete(id);
    this.set(id, read.doc, stored.etag);
  }

  private set(id: string, doc: T, etag: string): void {
    this.entries.set(id, { doc, etag: quoteEtag(etag) });
    this.snapshot = null;
  }

  private drop(id: string): void {
    if (this.entries.delete(id)) this.snapshot = null;
  }
}
