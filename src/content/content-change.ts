import { bareEtag } from './etag';

/** The kinds of entity the site is built from. */
export const ENTITY_KINDS = ['author', 'post'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export const CHANGE_ACTIONS = ['created', 'updated', 'deleted'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/**
 * One change to one entity: what content services report, what a deploy lists (one entry per entity, its
 * latest action) and what the dispatch sends. The only declaration of this shape.
 */
export interface ContentChange {
  kind: EntityKind;
  id: string;
  action: ChangeAction;
  /** ISO time of the S3 write. */
  at: string;
  /**
   * The bare ETag of the object the write left (none for a delete). Only the deploy state keeps it: a deploy
   * leaves out a write the previous dispatch already named. Never shown, never sent.
   */
  etag?: string;
}

/** The change a write made: `written` is the version it left (its time and ETag), none for a delete. */
export function contentChange(
  kind: EntityKind,
  id: string,
  action: ChangeAction,
  written?: { doc: { updatedAt: string }; etag: string },
): ContentChange {
  if (written === undefined) return { kind, id, action, at: new Date().toISOString() };
  return { kind, id, action, at: written.doc.updatedAt, etag: bareEtag(written.etag) };
}
