import { ConflictError, NotFoundError, PreconditionFailedError } from '../common/domain-errors';
import { RedisService } from '../redis/redis.service';
import { ConditionalWrites } from '../storage/conditional-writes';
import { contentKey } from '../storage/s3-layout';
import { S3StorageService } from '../storage/s3-storage.service';
import { StorageConflictError } from '../storage/storage-errors';
import { ContendedWriteError, UnreadableDocumentError } from './content-errors';
import type { EntityKind } from './content-change';
import { ContentIndex } from './content-index';
import { ifMatchPasses, quoteEtag } from './etag';
import { Listable } from './paging';
import { StoredDocumentReader } from './stored-document';
import { WriteGuard } from './write-guard';

export interface Versioned<T> {
  doc: T;
  /** Quoted strong ETag, as sent to clients. */
  etag: string;
}

export interface Replaced<T> {
  /** null when the object replaced was not a valid document (see UnreadableDocumentError). */
  before: T | null;
  after: Versioned<T>;
}

/** What is at an entity's key: a valid document, or an object that is not one (with what is wrong). */
type Stored<T> = { etag: string } & ({ doc: T; problem?: undefined } | { doc: null; problem: string });

/**
 * A write without the client's If-Match that loses a race (the object changed between the read and the
 * conditional write) reads again and reapplies the edit, at most this many times in all.
 */
export const MAX_WRITE_ATTEMPTS = 5;

/**
 * One S3 folder of JSON documents (`authors/` or `posts/`), one object per entity; the key is the identity.
 * Every write sends If-Match / If-None-Match to S3 and compares ETags itself. Where S3 enforces those
 * headers they alone keep concurrent writers apart, also writers that bypass the service (a create is one
 * S3 request); where it ignores them a per-key Redis lock does, and a create first reads the key (WriteGuard).
 */
export class ContentRepository<T extends Listable> {
  readonly index: ContentIndex<T>;
  private readonly reader: StoredDocumentReader<T>;
  private readonly guard: WriteGuard;

  constructor(
    private readonly label: 'Author' | 'Post',
    private readonly kind: EntityKind,
    schema: new () => object,
    private readonly storage: S3StorageService,
    redis: RedisService,
    conditional: ConditionalWrites,
  ) {
    this.guard = new WriteGuard(redis, conditional);
    this.reader = new StoredDocumentReader<T>(kind, schema);
    this.index = new ContentIndex<T>(kind, storage, redis, (id, body) => this.reader.read(id, body));
  }

  private key(id: string): string {
    return contentKey(this.kind, id);
  }

  /** The entity, null when there is none; an object that is not a valid document is a 422 naming its key. */
  async find(id: string): Promise<Versioned<T> | null> {
    const stored = await this.load(id);
    return stored === null ? null : { doc: this.valid(id, stored), etag: stored.etag };
  }

  async get(id: string): Promise<Versioned<T>> {
    const found = await this.find(id);
    if (found === null) throw new NotFoundError(this.label, id);
    return found;
  }

  /**
   * Creates the entity under the first free id among `candidates`. An explicit id has one candidate,
   * so a taken one is a 409; derived ids fall through to the generated ones. Any object at the key,
   * valid or not, takes the id.
   */
  async create(candidates: string[], build: (id: string) => T): Promise<Versioned<T>> {
    for (const id of candidates) {
      const created = await this.guard.exclusive(this.key(id), async (s3Refuses) => {
        if (!s3Refuses && (await this.storage.exists(this.key(id)))) return null;
        // S3 refusing If-None-Match: * is the id taken (by another writer since the read, or, unread, at all).
        return this.write(id, build(id), { ifNoneMatch: '*' }).catch((error: unknown) => {
          if (error instanceof ConflictError) return null;
          throw error;
        });
      });
      if (created !== null) return created;
    }
    throw new ConflictError(
      `${this.label} id "${candidates[candidates.length - 1]}" is already taken: choose another id`,
    );
  }

  /** Read-modify-write of a valid document (PATCH); `ifMatch` is the client's If-Match header. */
  update(id: string, ifMatch: string | undefined, change: (current: T) => T | Promise<T>): Promise<Replaced<T>> {
    return this.rewrite(id, ifMatch, (stored) => change(this.valid(id, stored)));
  }

  /** Full replace (PUT): also replaces an object that is not a valid document, then `change` gets null. */
  replace(id: string, ifMatch: string | undefined, change: (current: T | null) => T): Promise<Replaced<T>> {
    return this.rewrite(id, ifMatch, (stored) => change(stored.doc));
  }

  /** Deletes under the lock after `check` (e.g. "no post references this author") passes; removes invalid objects too. */
  async remove(
    id: string,
    ifMatch: string | undefined,
    check: () => Promise<void> = async () => {},
  ): Promise<T | null> {
    return this.attempts(id, ifMatch, async (stored) => {
      await check();
      const mark = this.index.beforeWrite();
      await this.storage.delete(this.key(id), { ifMatch: stored.etag });
      await this.index.forget(id, mark);
      return stored.doc;
    });
  }

  private rewrite(
    id: string,
    ifMatch: string | undefined,
    change: (stored: Stored<T>) => T | Promise<T>,
  ): Promise<Replaced<T>> {
    return this.attempts(id, ifMatch, async (stored) => {
      const next = await change(stored);
      return { before: stored.doc, after: await this.write(id, next, { ifMatch: stored.etag }) };
    });
  }

  /**
   * Runs `work` on the current object as the key's one writer (WriteGuard). The client's If-Match is checked first (strong
   * comparison; nothing matches a missing entity, so `If-Match: *` there is a 412). When S3 refuses the
   * conditional write because the object changed meanwhile, the client's own precondition has failed (412);
   * without one, the edit is retried on the new version, MAX_WRITE_ATTEMPTS times at most.
   */
  private attempts<R>(id: string, ifMatch: string | undefined, work: (stored: Stored<T>) => Promise<R>): Promise<R> {
    return this.locked(id, async () => {
      for (let attempt = 1; ; attempt++) {
        const stored = await this.load(id);
        if (ifMatch !== undefined && !ifMatchPasses(ifMatch, stored?.etag ?? null))
          throw new PreconditionFailedError(this.label, id);
        if (stored === null) throw new NotFoundError(this.label, id);
        try {
          return await work(stored);
        } catch (error) {
          if (!(error instanceof StorageConflictError)) throw error;
          if (ifMatch !== undefined) throw new PreconditionFailedError(this.label, id);
          if (attempt >= MAX_WRITE_ATTEMPTS) throw new ContendedWriteError(this.label, id, attempt);
        }
      }
    });
  }

  private async load(id: string): Promise<Stored<T> | null> {
    const object = await this.storage.getText(this.key(id));
    if (object === null) return null;
    const read = this.reader.read(id, object.body);
    const etag = quoteEtag(object.etag);
    return read.problem === undefined ? { etag, doc: read.doc } : { etag, doc: null, problem: read.problem };
  }

  private valid(id: string, stored: Stored<T>): T {
    if (stored.problem !== undefined)
      throw new UnreadableDocumentError(this.kind, this.storage.objectKey(this.key(id)), stored.problem);
    return stored.doc;
  }

  /** Writes `doc` at `id`'s key: the path's id decides where a document goes, never the document. */
  private async write(id: string, doc: T, conditions: { ifMatch?: string; ifNoneMatch?: '*' }): Promise<Versioned<T>> {
    if (doc.id !== id) throw new Error(`refusing to write ${this.label} "${doc.id}" at the key of "${id}"`);
    try {
      const mark = this.index.beforeWrite();
      const etag = quoteEtag(await this.storage.putJson(this.key(id), JSON.stringify(doc), conditions));
      await this.index.remember(doc, etag, mark);
      return { doc, etag };
    } catch (error) {
      if (error instanceof StorageConflictError && conditions.ifNoneMatch)
        throw new ConflictError(`${this.label} id "${id}" is already taken: choose another id`);
      throw error;
    }
  }

  private locked<R>(id: string, work: () => Promise<R>): Promise<R> {
    return this.guard.exclusive(this.key(id), work);
  }
}
