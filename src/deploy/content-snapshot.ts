import { createHash } from 'node:crypto';
import type { ContentChange, EntityKind } from '../content/content-change';
import { bareEtag } from '../content/etag';
import { changesSite } from '../content/site-rule';
import { contentKey, parseContentKey } from '../storage/s3-layout';
import { changeField } from './deploy-record';
import type { ListedObject } from '../storage/s3-storage.service';

/**
 * Keys and ETags of every content object at one moment (what a dispatch deployed, or what S3 holds now), and
 * which of them are not on the site (drafts, scheduled posts). A key not known to be off the site counts as
 * on it: when in doubt a change deploys.
 */
export class ContentSnapshot {
  readonly fingerprint: string;

  constructor(
    readonly objects: ReadonlyMap<string, string>,
    readonly offSite: ReadonlySet<string> = new Set(),
  ) {
    const lines = [...objects.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, etag]) => `${key} ${etag}`);
    this.fingerprint = createHash('sha256').update(lines.join('\n')).digest('hex');
  }

  static fromListing(listed: ListedObject[], offSite: ReadonlySet<string> = new Set()): ContentSnapshot {
    return new ContentSnapshot(new Map(listed.map((o) => [o.key, bareEtag(o.etag)])), offSite);
  }

  /** `offSite` is absent in records written before it existed: every post then counts as on the site. */
  static fromJson(objects: Record<string, string>, offSite: string[] = []): ContentSnapshot {
    return new ContentSnapshot(new Map(Object.entries(objects)), new Set(offSite));
  }

  toJson(): { objects: Record<string, string>; offSite: string[] } {
    return { objects: Object.fromEntries(this.objects), offSite: [...this.offSite].sort() };
  }

  /** The ETag this snapshot holds for each created or updated entity of `changes`, by `<kind>:<id>`. */
  etagsOf(changes: readonly ContentChange[]): Record<string, string> {
    const etags: Record<string, string> = {};
    for (const change of changes) {
      const etag = change.action === 'deleted' ? undefined : this.objects.get(contentKey(change.kind, change.id));
      if (etag !== undefined) etags[changeField(change)] = etag;
    }
    return etags;
  }

  /** Those of `etags` (by `<kind>:<id>`) that this snapshot still holds for these entities. */
  stillHolds(
    etags: Readonly<Record<string, string>>,
    entities: readonly { kind: EntityKind; id: string }[],
  ): Record<string, string> {
    const held: Record<string, string> = {};
    for (const entity of entities) {
      const field = changeField(entity);
      const etag = etags[field];
      if (etag !== undefined && this.objects.get(contentKey(entity.kind, entity.id)) === etag) held[field] = etag;
    }
    return held;
  }

  isOnSite(key: string): boolean {
    return this.objects.has(key) && !this.offSite.has(key);
  }

  /** Keys whose object differs from `previous` (new or another ETag): what must be read to know if it is on the site. */
  changedKeys(previous: ContentSnapshot | null): string[] {
    return [...this.objects].filter(([key, etag]) => previous?.objects.get(key) !== etag).map(([key]) => key);
  }

  /**
   * The changes that turn `previous` into this snapshot and change the site (created / updated / deleted),
   * stamped `at`. Creating, editing or deleting a draft is not one.
   */
  changesSince(previous: ContentSnapshot, at: string): ContentChange[] {
    const changes: ContentChange[] = [];
    const add = (key: string, action: ContentChange['action']): void => {
      const entity = parseContentKey(key);
      if (entity && changesSite(previous.isOnSite(key), this.isOnSite(key))) changes.push({ ...entity, action, at });
    };
    for (const [key, etag] of this.objects) {
      const before = previous.objects.get(key);
      if (before !== etag) add(key, before === undefined ? 'created' : 'updated');
    }
    for (const key of previous.objects.keys()) if (!this.objects.has(key)) add(key, 'deleted');
    return changes;
  }
}
