import { createHash } from 'node:crypto';
import type { ListedObject } from '../storage/s3-storage.service';
import type { DeployChange } from './deploy.types';

/** The folders whose content the site is built from. */
export const CONTENT_FOLDERS = ['authors/', 'posts/'] as const;

const KINDS: Record<string, DeployChange['kind']> = { authors: 'author', posts: 'post' };

/** Keys and ETags of every content object at one moment: what a dispatch deployed, or what S3 holds now. */
export class ContentSnapshot {
  readonly fingerprint: string;

  constructor(readonly objects: ReadonlyMap<string, string>) {
    const lines = [...objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, etag]) => `${key} ${etag}`);
    this.fingerprint = createHash('sha256').update(lines.join('\n')).digest('hex');
  }

  static fromListing(listed: ListedObject[]): ContentSnapshot {
    return new ContentSnapshot(new Map(listed.map((o) => [o.key, o.etag.replace(/"/g, '')])));
  }

  static fromJson(value: Record<string, string>): ContentSnapshot {
    return new ContentSnapshot(new Map(Object.entries(value)));
  }

  toJson(): Record<string, string> {
    return Object.fromEntries(this.objects);
  }

  /** The entity changes that turn `previous` into this snapshot (created / updated / deleted), stamped `at`. */
  changesSince(previous: ContentSnapshot, at: string): DeployChange[] {
    const changes: DeployChange[] = [];
    const entity = (key: string): Pick<DeployChange, 'kind' | 'id'> | null => {
      const match = /^(authors|posts)\/([^/]+)\.json$/.exec(key);
      return match ? { kind: KINDS[match[1]], id: match[2] } : null;
    };
    for (const [key, etag] of this.objects) {
      const target = entity(key);
      const before = previous.objects.get(key);
      if (target && before !== etag) changes.push({ ...target, action: before === undefined ? 'created' : 'updated', at });
    }
    for (const key of previous.objects.keys()) {
      const target = entity(key);
      if (target && !this.objects.has(key)) changes.push({ ...target, action: 'deleted', at });
    }
    return changes;
  }
}
