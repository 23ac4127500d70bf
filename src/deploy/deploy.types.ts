import type { ChangeAction, EntityKind } from '../content/content-events';

export type DeployStatus = 'pending' | 'dispatching' | 'retrying' | 'dispatched' | 'failed' | 'dry-run';
export type DeployReason = 'changes' | 'manual' | 'reconcile';

/** One entity changed by a deploy, with its latest action. */
export interface DeployChange {
  kind: EntityKind;
  id: string;
  action: ChangeAction;
  at: string;
}

/** A deploy as the API returns it (contract §4). */
export interface Deploy {
  id: string;
  status: DeployStatus;
  reason: DeployReason;
  /** Newest first, one entry per entity. */
  changes: DeployChange[];
  changeCount: number;
  editCount: number;
  firstChangeAt: string | null;
  lastChangeAt: string | null;
  scheduledFor: string | null;
  dispatchedAt: string | null;
  attempts: number;
  lastError: string | null;
}
