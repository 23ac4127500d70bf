import { ConflictError, NotFoundError, PreconditionFailedError } from '../common/domain-errors';
import { RedisService } from '../redis/redis.service';
import { ConditionalWrites } from '../storage/conditional-writes';
import { S3StorageService } from '../storage/s3-storage.service';
import { contentKey } from '../storage/s3-layout';
import { StorageConflictError } from '../storage/storage-errors';
import type { EntityKind } from './content-events';
import { ContentIndex } from './content-index';
import { etagMatches, quoteEtag } from './etag';
import { Listable } from './paging';
import { WriteGuard } from './write-guard';

export interface Versioned<T> {
  doc: T;
  /** Quoted strong ETag, as sent to clients. */
  etag: string;
}

export interface Replaced<T> {
  before: T;
  after: Versioned<T>;
}

/**
 * One S3 folder of JSON documents (`authors/` or `posts/`), one object per entity.
 * Every write sends If-Match / If-None-Match to S3 and compares ETags itself. Where S3 enforces those
 * headers they alone keep concurrent writes apart (one S3 request to create); where it ignores them a
 * per-key Redis lock does, and a create first reads the key (WriteGuard).
 */
export class ContentRepository<T extends Listable> {
  readonly index: ContentIndex<T>;
  private readonly guard: WriteGuard;

  constructor(
    private readonly label: 'Author' | 'Post',
    private readonly kind: EntityKind,
    private readonly storage: S3StorageService,
    redis: RedisService,
    conditional: ConditionalWrites,
  ) {
    this.index = new ContentIndex<T>(kind, storage, redis);
    this.guard = new WriteGuard(redis, conditional);
  }

  private key(id: string): string {
    return contentKey(this.kind, id);
  }

  async find(id: string): Promise<Versioned<T> | null> {
    const stored = await this.storage.getText(this.key(id));
    return stored === null ? null : { doc: JSON.parse(stored.body) as T, etag: quoteEtag(stored.etag) };
  }

  async get(id: string): Promise<Versioned<T>> {
    const found = await this.find(id);
    if (found === null) throw new NotFoundError(this.label, id);
    return found;
  }

  /**
   * Creates the entity under the first free id among `candidates`. An explicit id has one candidate,
   * so a taken one is a 409; derived ids fall through to the generated ones.
   */
  async create(candidates: string[], build: (id: string) => T): Promise<Versioned<T>> {
    for (const id of candidates) {
      const created = await this.guard.exclusive(this.key(id), async (s3Refuses) => {
        if (!s3Refuses && (await this.storage.getText(this.key(id))) !== null) return null;
        // S3 refusing If-None-Match: * is the id being taken (here or by another writer since the read).
        return this.write(build(id), { ifNoneMatch: '*' }).catch((error: unknown) => {
          if (error instanceof ConflictError) return null;
          throw error;
        });
      });
      if (created !== null) return created;
    }
    throw new ConflictError(`${this.label} id "${candidates[candidates.length - 1]}" is already taken: choose another id`);
  }

  /** Read-modify-write under the lock; `ifMatch` (the client's If-Match header) must name the current version. */
  async update(id: string, ifMatch: string | undefined, change: (current: T) => T | Promise<T>): Promise<Replaced<T>> {
    return this.locked(id, async () => {
      const current = await this.get(id);
      if (ifMatch !== undefined && !etagMatches(ifMatch, current.etag)) throw new PreconditionFailedError(this.label, id);
      const next = await change(current.doc);
      return { before: current.doc, after: await this.write(next, { ifMatch: current.etag }) };
    });
  }

  /** Deletes under the lock after `check` (e.g. "no post references this author") passes. */
  async remove(id: string, ifMatch: string | undefined, check: (current: T) => Promise<void> = async () => {}): Promise<T> {
    return this.locked(id, async () => {
      const current = await this.get(id);
      if (ifMatch !== undefined && !etagMatches(ifMatch, current.etag)) throw new PreconditionFailedError(this.label, id);
      await check(current.doc);
      const mark = this.index.beforeWrite();
      try {
        await this.storage.delete(this.key(id), { ifMatch: current.etag });
      } catch (error) {
        if (error instanceof StorageConflictError) throw new PreconditionFailedError(this.label, id);
        throw error;
      }
      await this.index.forget(id, mark);
      return current.doc;
    });
  }

  private async write(doc: T, conditions: { ifMatch?: string; ifNoneMatch?: '*' }): Promise<Versioned<T>> {
    try {
      const mark = this.index.beforeWrite();
      const etag = quoteEtag(await this.storage.putJson(this.key(doc.id), JSON.stringify(doc), conditions));
      await this.index.remember(doc, etag, mark);
      return { doc, etag };
    } catch (error) {
      if (!(error instanceof StorageConflictError)) throw error;
      if (conditions.ifNoneMatch) throw new ConflictError(`${this.label} id "${doc.id}" is already taken: choose another id`);
      throw new PreconditionFailedError(this.label, doc.id);
    }
  }

  private locked<R>(id: string, work: () => Promise<R>): Promise<R> {
    return this.guard.exclusive(this.key(id), work);
  }
}
