import { ConflictError, NotFoundError, PreconditionFailedError } from '../common/domain-errors';
import { RedisService } from '../redis/redis.service';
import { contentKey } from '../storage/s3-layout';
import { S3StorageService } from '../storage/s3-storage.service';
import { StorageConflictError } from '../storage/storage-errors';
import { ContendedWriteError, UnreadableDocumentError } from './content-errors';
import type { EntityKind } from './content-change';
import { ContentIndex } from './content-index';
import { ifMatchPasses, quoteEtag } from './etag';
import { Listable } from './paging';
import { StoredDocumentReader } from './stored-document';

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
 * Every write holds a per-key Redis lock and compares ETags itself, and also sends If-Match /
 * If-None-Match to S3: the lock makes writes safe on S3-compatible servers that ignore those headers,
 * the headers keep them safe on real S3 against writers that bypass the service.
 */
export class ContentRepository<T extends Listable> {
  readonly index: ContentIndex<T>;
  private readonly reader: StoredDocumentReader<T>;

  constructor(
    private readonly label: 'Author' | 'Post',
    private readonly kind: EntityKind,
    schema: new () => object,
    private readonly storage: S3StorageService,
    private readonly redis: RedisService,
  ) {
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
      const created = await this.locked(id, async () => {
        if ((await this.storage.getText(this.key(id))) !== null) return null;
        return this.write(id, build(id), { ifNoneMatch: '*' });
      });
      if (created !== null) return created;
    }
    throw new ConflictError(`${this.label} id "${candidates[candidates.length - 1]}" is already taken: choose another id`);
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
  async remove(id: string, ifMatch: string | undefined, check: () => Promise<void> = async () => {}): Promise<T | null> {
    return this.attempts(id, ifMatch, async (stored) => {
      await check();
      await this.storage.delete(this.key(id), { ifMatch: stored.etag });
      await this.index.forget(id);
      return stored.doc;
    });
  }

  private rewrite(id: string, ifMatch: string | undefined, change: (stored: Stored<T>) => T | Promise<T>): Promise<Replaced<T>> {
    return this.attempts(id, ifMatch, async (stored) => {
      const next = await change(stored);
      return { before: stored.doc, after: await this.write(id, next, { ifMatch: stored.etag }) };
    });
  }

  /**
   * Runs `work` on the current object under the per-key lock. The client's If-Match is checked first (strong
   * comparison; nothing matches a missing entity, so `If-Match: *` there is a 412). When S3 refuses the
   * conditional write because the object changed meanwhile, the client's own precondition has failed (412);
   * without one, the edit is retried on the new version, MAX_WRITE_ATTEMPTS times at most.
   */
  private attempts<R>(id: string, ifMatch: string | undefined, work: (stored: Stored<T>) => Promise<R>): Promise<R> {
    return this.locked(id, async () => {
      for (let attempt = 1; ; attempt++) {
        const stored = await this.load(id);
        if (ifMatch !== undefined && !ifMatchPasses(ifMatch, stored?.etag ?? null)) throw new PreconditionFailedError(this.label, id);
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
    if (stored.problem !== undefined) throw new UnreadableDocumentError(this.kind, this.storage.objectKey(this.key(id)), stored.problem);
    return stored.doc;
  }

  /** Writes `doc` at `id`'s key: the path's id decides where a document goes, never the document. */
  private async write(id: string, doc: T, conditions: { ifMatch?: string; ifNoneMatch?: '*' }): Promise<Versioned<T>> {
    if (doc.id !== id) throw new Error(`refusing to write ${this.label} "${doc.id}" at the key of "${id}"`);
    try {
      const etag = quoteEtag(await this.storage.putJson(this.key(id), JSON.stringify(doc), conditions));
      await this.index.remember(doc, etag);
      return { doc, etag };
    } catch (error) {
      if (error instanceof StorageConflictError && conditions.ifNoneMatch) throw new ConflictError(`${this.label} id "${id}" is already taken: choose another id`);
      throw error;
    }
  }

  private locked<R>(id: string, work: () => Promise<R>): Promise<R> {
    return this.redis.withLock(this.key(id), work);
  }
}
