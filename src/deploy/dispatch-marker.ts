import { Injectable, Logger } from '@nestjs/common';
import { inPool } from '../common/in-pool';
import { PostRepository } from '../content/repositories';
import { bareEtag } from '../content/etag';
import { isOnSite, SiteFacts } from '../content/site-rule';
import { S3StorageService } from '../storage/s3-storage.service';
import { ENTITY_KINDS } from '../content/content-change';
import { contentFolder, DEPLOY_MARKER_KEY, parseContentKey } from '../storage/s3-layout';
import { ContentSnapshot } from './content-snapshot';

/** Reading posts the listing copy does not hold to learn their status, this many at a time. */
const READ_CONCURRENCY = 16;

/** The marker's deployId until a first dispatch: the content found at the very first start, which no dispatch carried. */
export const BASELINE = 'baseline';

export interface Marker {
  /** The deploy whose dispatch this records, or BASELINE. */
  deployId: string;
  dispatchedAt: string;
  snapshot: ContentSnapshot;
  /**
   * The writes that dispatch named because S3 showed them and no recorded edit did, by `<kind>:<id>` with the
   * ETag it named: a change of one of them recorded after its claim needs no second dispatch. Absent in older
   * records and in a baseline (nothing to leave out then).
   */
  found: Readonly<Record<string, string>>;
}

/**
 * The record of what was last dispatched, kept in S3 so that losing Redis cannot erase it: every content
 * key with its ETag, and which posts were not on the site (drafts, scheduled). The reconcile pass and the
 * worker compare it with the bucket and deploy the difference that changes the site (edits lost with Redis,
 * or made directly in S3); a draft created, edited or deleted is never one.
 */
@Injectable()
export class DispatchMarker {
  private readonly logger = new Logger('DispatchMarker');

  constructor(
    private readonly storage: S3StorageService,
    private readonly posts: PostRepository,
  ) {}

  /**
   * What S3 holds now under authors/ and posts/. Posts whose object differs from `last` are looked up to learn
   * whether they are on the site: in the in-process listing copy when it holds that very object (same ETag),
   * else read from S3. The others keep what `last` knew. Without `last`, every post is looked up.
   */
  async current(last: ContentSnapshot | null): Promise<ContentSnapshot> {
    const listed = (await Promise.all(ENTITY_KINDS.map((kind) => this.storage.list(contentFolder(kind))))).flat();
    const listing = ContentSnapshot.fromListing(listed);
    const offSite = new Set(
      [...(last?.offSite ?? [])].filter((key) => listing.objects.get(key) === last?.objects.get(key)),
    );
    const toRead: { key: string; etag: string }[] = [];
    for (const key of listing.changedKeys(last)) {
      const entity = parseContentKey(key);
      if (entity?.kind !== 'post') continue;
      const etag = listing.objects.get(key)!;
      // A burst of edits changes thousands of posts: the copy already holds most of them, no read needed.
      const known = this.posts.index.peek(entity.id, etag);
      if (known === undefined) toRead.push({ key, etag });
      else if (!isOnSite('post', known)) offSite.add(key);
    }
    await inPool(toRead, READ_CONCURRENCY, async ({ key, etag }) => {
      if (await this.isOffSite(key, etag)) offSite.add(key);
    });
    return new ContentSnapshot(listing.objects, offSite);
  }

  /** Only when sure: the object read is the one listed, and it is a post the site does not show. */
  private async isOffSite(key: string, listedEtag: string): Promise<boolean> {
    try {
      const stored = await this.storage.getText(key);
      if (stored === null || bareEtag(stored.etag) !== listedEtag) return false;
      return !isOnSite('post', JSON.parse(stored.body) as SiteFacts);
    } catch {
      return false; // unreadable, or not the service's JSON: count it as on the site (deploy rather than guess)
    }
  }

  async read(): Promise<Marker | null> {
    const stored = await this.storage.getText(DEPLOY_MARKER_KEY);
    if (stored === null) return null;
    try {
      const json = JSON.parse(stored.body) as {
        deployId: string;
        dispatchedAt: string;
        objects: Record<string, string>;
        offSite?: string[];
        found?: Record<string, string>;
      };
      return {
        deployId: json.deployId,
        dispatchedAt: json.dispatchedAt,
        snapshot: ContentSnapshot.fromJson(json.objects, json.offSite),
        found: json.found ?? {},
      };
    } catch {
      this.logger.warn(`${DEPLOY_MARKER_KEY} is not valid JSON; it will be rewritten from the current content`);
      return null;
    }
  }

  async write(
    deployId: string,
    snapshot: ContentSnapshot,
    found: Readonly<Record<string, string>> = {},
    dispatchedAt = new Date(),
  ): Promise<void> {
    const body = {
      deployId,
      dispatchedAt: dispatchedAt.toISOString(),
      fingerprint: snapshot.fingerprint,
      ...snapshot.toJson(),
      found,
    };
    await this.storage.putJson(DEPLOY_MARKER_KEY, JSON.stringify(body));
  }
}
