import type { EntityKind } from './content-change';

/** Just what the rule looks at: a stored entity's status (authors have none). */
export interface SiteFacts {
  status?: unknown;
}

/**
 * Whether an entity, as stored, is shown on the published site: every author; a post only while it is
 * `published` (drafts and scheduled posts are not on the site). `null` is an entity that does not exist.
 */
export function isOnSite(kind: EntityKind, entity: SiteFacts | null | undefined): boolean {
  if (entity === null || entity === undefined) return false;
  return kind === 'author' || entity.status === 'published';
}

/**
 * Whether a change (the entity before and after it) changes the published site, so it must be deployed:
 * it does when the entity is on the site before or after. Creating, editing or deleting a draft does not.
 * The only place this rule is written; the content services and the deploy pipeline both ask it.
 */
export function affectsSite(
  kind: EntityKind,
  before: SiteFacts | null | undefined,
  after: SiteFacts | null | undefined,
): boolean {
  return changesSite(isOnSite(kind, before), isOnSite(kind, after));
}

/** The same rule where only whether the entity was and is on the site is known (the record of the last dispatch). */
export function changesSite(onSiteBefore: boolean, onSiteAfter: boolean): boolean {
  return onSiteBefore || onSiteAfter;
}
