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
}
