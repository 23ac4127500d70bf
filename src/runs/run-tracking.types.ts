import type { DeployRun } from '../deploy/deploy.types';
import type { DeployFacts } from './deploy-status.rules';

/** The statuses run tracking moves a dispatched deploy to. */
export type RunStatus = 'building' | 'live' | 'build-failed' | 'superseded';

/** A dispatched deploy whose Actions run is being followed. */
export interface TrackedDeploy {
  id: string;
  status: 'dispatched' | 'building';
  /** Known from the dispatch (workflow_dispatch) or once found; null while still looking for it. */
  run: DeployRun | null;
  /** Epoch ms. */
  dispatchedAt: number;
}

export interface TrackedRuns {
  /** Dispatched deploys still followed (not finished, not given up on). */
  deploys: TrackedDeploy[];
  /** Epoch ms of the newest dispatch of any deploy, null if none is recorded. */
  newestDispatchAt: number | null;
  /** A dispatch is on its way right now (its run may already be cancelling older ones). */
  dispatchInFlight: boolean;
}

/**
 * What run tracking needs from the deploy state owner. Every method is one atomic step in Redis, so any
 * instance can follow any deploy and a restart (or kill -9) resumes where the last one stopped.
 */
export interface DeployRunStore {
  trackedRuns(): Promise<TrackedRuns>;
  /**
   * Records what GitHub said about the deploy's run and moves it to `to`. Refused (false) when that would move
   * it backwards (a late or replayed event never takes `live` back to `building`) or it is no longer followed.
   */
  runObserved(deployId: string, run: DeployRun, to: RunStatus, lastError: string | null): Promise<boolean>;
  /** Stops following the deploy, keeping its status, with a lastError saying why. */
  stopTracking(deployId: string, lastError: string): Promise<void>;
  /** The newest deploy naming the entity, then every deploy created after it (oldest first); null when none is kept. */
  deploysSinceChange(kind: string, id: string): Promise<DeployFacts[] | null>;
}

export const DEPLOY_RUN_STORE = Symbol('DEPLOY_RUN_STORE');
