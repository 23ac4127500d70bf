import { Injectable, Logger } from '@nestjs/common';
import { isOnSite, SiteFacts } from '../content/site-rule';
import { S3StorageService } from '../storage/s3-storage.service';
import { CONTENT_FOLDERS, ContentSnapshot } from './content-snapshot';
import { DeployChange } from './deploy.types';

/** Under S3_PREFIX, outside authors/ and posts/ (contract §3, §5.3). */
export const MARKER_KEY = 'deploys/last-dispatched.json';

export interface Marker {
  deployId: string;
  dispatchedAt: string;
  snapshot: ContentSnapshot;
}

/**
 * The record of what was last dispatched, kept in S3 so that losing Redis cannot erase it. The reconcile
 * pass compares it with the bucket and deploys the difference (edits lost with Redis, or made directly in S3).
 */
@Injectable()
export class DispatchMarker {
  private readonly logger = new Logger('DispatchMarker');

  constructor(private readonly storage: S3StorageService) {}

  /** What S3 holds now under authors/ and posts/, from the ListObjectsV2 paginator. */
  async current(): Promise<ContentSnapshot> {
    const listings = await Promise.all(CONTENT_FOLDERS.map((folder) => this.storage.list(folder)));
    return ContentSnapshot.fromListing(listings.flat());
  }

  async read(): Promise<Marker | null> {
    const stored = await this.storage.getText(MARKER_KEY);
    if (stored === null) return null;
    try {
      const json = JSON.parse(stored.body) as { deployId: string; dispatchedAt: string; objects: Record<string, string> };
      return { deployId: json.deployId, dispatchedAt: json.dispatchedAt, snapshot: ContentSnapshot.fromJson(json.objects) };
    } catch {
      this.logger.warn(`${MARKER_KEY} is not valid JSON; it will be rewritten from the current content`);
      return null;
    }
  }

  /** Of `changes`, those that can affect the published site: a post that is not published now does not. */
  async affectingSite(changes: DeployChange[]): Promise<DeployChange[]> {
    const affects = await Promise.all(
      changes.map(async (change) => {
        if (change.kind !== 'post' || change.action === 'deleted') return true;
        const stored = await this.storage.getText(`posts/${change.id}.json`);
        try {
          return stored === null || isOnSite('post', JSON.parse(stored.body) as SiteFacts);
        } catch {
          return true; // not the service's JSON (another tool wrote it): deploy rather than guess
        }
      }),
    );
    return changes.filter((_, i) => affects[i]);
  }

  async write(deployId: string, snapshot: ContentSnapshot, dispatchedAt = new Date()): Promise<void> {
    const body = { deployId, dispatchedAt: dispatchedAt.toISOString(), fingerprint: snapshot.fingerprint, objects: snapshot.toJson() };
    await this.storage.putJson(MARKER_KEY, JSON.stringify(body));
  }
}
