import type { ContentChange } from '../content/content-change';

/**
 * Every status a deploy can have, in the order a deploy usually meets them (the state diagram and the only
 * code that moves a deploy between them: deploy-state.ts).
 *   pending      collecting changes; fires at `scheduledFor`
 *   held         changes kept after a failure; waits for the next edit, POST /deploys or a restart
 *   dispatching  claimed by a worker, the request to GitHub is on its way
 *   retrying     the last attempt failed in a way worth retrying; the next one is at `scheduledFor`
 *   dispatched   GitHub accepted the request
 *   building     the Actions run it started is running
 *   live         that run succeeded: the changes are on the site
 *   build-failed that run ended with any other conclusion
 *   superseded   that run was cancelled in favour of a newer deploy's run
 *   failed       GitHub refused the request or every attempt failed; the changes moved to a held deploy
 *   dry-run      no token configured: the request was logged, not sent
 */
export const DEPLOY_STATUSES = [
  'pending',
  'held',
  'dispatching',
  'retrying',
  'dispatched',
  'building',
  'live',
  'build-failed',
  'superseded',
  'failed',
  'dry-run',
] as const;
export type DeployStatus = (typeof DEPLOY_STATUSES)[number];

export const DEPLOY_REASONS = ['changes', 'manual', 'reconcile'] as const;
export type DeployReason = (typeof DEPLOY_REASONS)[number];

/** A deploy's entry for one changed entity: the content change itself, its latest action. */
export type DeployChange = ContentChange;

/** The GitHub Actions run a dispatch started, as last seen. */
export interface DeployRun {
  id: number;
  url: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

/** A deploy as the API returns it. */
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
  /** Null while held: nothing fires until something releases it. */
  scheduledFor: string | null;
  dispatchedAt: string | null;
  attempts: number;
  lastError: string | null;
  run: DeployRun | null;
}
