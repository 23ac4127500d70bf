/** Until the deploy core declares it in deploy.types.ts (then imported from there). */
export interface DeployRun {
  id: number;
  url: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

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

/**
 * What run tracking needs from the deploy state owner. Every method is one atomic step in Redis, so any
 * instance can follow any deploy and a restart (or kill -9) resumes where the last one stopped.
 */
export interface DeployRunStore {
  /** Dispatched deploys still followed (not finished, not timed out), oldest dispatch first. */
  tracked(): Promise<TrackedDeploy[]>;
  /**
   * Records what GitHub said about the deploy's run and moves it to `to`. Refused (false) when that would move
   * it backwards (a late or replayed event never takes `live` back to `building`) or it is no longer followed.
   */
  runObserved(deployId: string, run: DeployRun, to: RunStatus, lastError: string | null): Promise<boolean>;
  /** Stops following the deploy, keeping its status, with a lastError saying why. */
  stopTracking(deployId: string, lastError: string): Promise<void>;
  /** Epoch ms of the newest dispatch of any deploy (null if none is recorded). */
  newestDispatchAt(): Promise<number | null>;
}

export const DEPLOY_RUN_STORE = Symbol('DEPLOY_RUN_STORE');
