import type { ContentChange, EntityKind } from '../content/content-change';
import type { Deploy, DeployReason, DeployRun, DeployStatus } from './deploy.types';

/*
 * The deploy state machine. DeployState is the only code that changes a deploy; each arrow below is one
 * atomic Redis script in ./lua (RedisDeployState), so any number of instances on one Redis act as one.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> pending: recordChange / requestNow / reconcile (no deploy is collecting changes)
 *   pending --> pending: recordChange (quiet window moves, capped by max-wait) / requestNow (fires now)
 *   held --> pending: recordChange / requestNow / reconcile / releaseHeld (at start)
 *   pending --> dispatching: claim (due, nothing in flight)
 *   dispatching --> retrying: markRetrying (retryable failure)
 *   retrying --> dispatching: claim (the same job resumes)
 *   dispatching --> dispatched: finish (GitHub accepted; may carry the run it started)
 *   dispatching --> dry_run: finish (no token)
 *   dispatching --> failed: finish (refused, or out of attempts)
 *   retrying --> failed: finish (the worker died: the watchdog ends it)
 *   failed --> held: finish carries the changes into a new held deploy (or the pending one)
 *   dispatched --> building: runObserved (the run exists: waiting, queued or running)
 *   dispatched --> live: runObserved (each step may be skipped: the run was first seen finished)
 *   building --> live: runObserved (conclusion success)
 *   building --> build_failed: runObserved (any other conclusion)
 *   building --> superseded: runObserved (cancelled after a newer deploy was dispatched)
 *   dispatched --> dispatched: stopTracking (no run found, or it outlived DEPLOY_RUN_TIMEOUT_MS: lastError)
 * ```
 *
 * At most one deploy collects changes (`next`: pending or held) and at most one is in flight
 * (dispatching or retrying). Changes that arrive while one is in flight go to the next deploy, whose
 * wake-up job is queued when the in-flight one finishes. Every transition made by this process is then
 * published on DeployEvents (metrics, notices).
 *
 * Adding a transition (run tracking's `dispatched -> building`, say):
 *   1. write lua/<name>.lua with the usual header (KEYS / ARGV names, output) that checks the `from` status
 *      and refuses to go backwards, reusing lua/includes/ where it helps, and replies JSON {from, to};
 *   2. declare it in redis-deploy-scripts.ts (`loadLuaScript` with the same key and argument names as the
 *      header), add an abstract method here and implement it in RedisDeployState: `this.redis.run(...)` to run
 *      it, then `this.moved(...)` to publish the event;
 *   3. mirror it in the in-memory fake (testing/in-memory-deploy-state.ts) and extend the diagram above.
 */

/** A deploy that needs its wake-up job: BullMQ job `<deployId>.<jobNumber>`, due at `scheduledFor`. */
export interface Wakeup {
  deployId: string;
  scheduledFor: number;
  jobNumber: number;
  /** The job exists already (delayed): make it run now instead of adding another. */
  promote?: boolean;
}

export interface Requested {
  deployId: string;
  wakeup: Wakeup | null;
}

/**
 * What a wake-up job's claim found: `claimed` / `resumed` (dispatch `deployId` now), `busy` (another deploy is
 * in flight; its end queues this one), `stale` (dispatched already), `held`, or `wait` (not due before `scheduledFor`).
 */
export type Claim =
  | { kind: 'claimed'; deployId: string }
  | { kind: 'resumed'; deployId: string }
  | { kind: 'busy'; deployId: string }
  | { kind: 'stale' }
  | { kind: 'held' }
  | { kind: 'wait'; scheduledFor: number };

export interface FinalState {
  status: Extract<DeployStatus, 'dispatched' | 'dry-run' | 'failed'>;
  attempts: number;
  lastError?: string;
  dispatchedAt?: number;
  /** The GitHub Actions run the dispatch started, when GitHub said (workflow_dispatch). */
  run?: Pick<DeployRun, 'id' | 'url'>;
  /** Move the changes on to the next deploy (after a failure). */
  carry: boolean;
}

export interface Pointers {
  /** The deploy collecting changes. */
  next: { deployId: string; status: DeployStatus; scheduledFor: number | null; jobs: number } | null;
  /** The deploy being dispatched, and the job doing it. */
  inflight: { deployId: string; jobId: string } | null;
}

/** What a held deploy says until something releases it. */
export const HELD_NOTE =
  "A deploy failed, so these changes are held: nothing is sent until the next edit, a manual deploy (POST /deploys) or a restart of the service. Fix the cause first (see the failed deploy's lastError).";

/** The statuses run tracking moves a dispatched deploy to. */
export type RunStatus = Extract<DeployStatus, 'building' | 'live' | 'build-failed' | 'superseded'>;

/** A dispatched deploy whose GitHub Actions run is followed. */
export interface TrackedDeploy {
  id: string;
  status: Extract<DeployStatus, 'dispatched' | 'building'>;
  /** Known from the dispatch (workflow_dispatch) or once found; null while still looking for it. */
  run: DeployRun | null;
  /** Epoch ms. */
  dispatchedAt: number;
}

/** What settling a claimed deploy's changes did: how many it added, and the `<kind>:<id>` of each it left out. */
export interface Settled {
  added: number;
  dropped: string[];
}

export interface TrackedRuns {
  /** Dispatched deploys still followed (not finished, not given up on). */
  deploys: TrackedDeploy[];
  /** Epoch ms of the newest dispatch of any deploy, null if none is recorded. */
  newestDispatchAt: number | null;
  /** A dispatch is on its way right now (its run may already be cancelling older ones). */
  dispatchInFlight: boolean;
}

/** The deploy state owner. Nest injects RedisDeployState; unit tests use the in-memory fake. */
export abstract class DeployState {
  /** Adds an acknowledged change to the deploy collecting changes; a wake-up when a job must be queued. */
  abstract recordChange(change: ContentChange, now: number): Promise<Wakeup | null>;
  /** The deploy collecting changes (created if none) fires now. */
  abstract requestNow(reason: Exclude<DeployReason, 'changes'>, now: number): Promise<Requested>;
  /** A `reconcile` deploy for `changes`, unless edits started a pending deploy meanwhile (null). */
  abstract reconcile(changes: ContentChange[], now: number): Promise<Requested | null>;
  /** At start: a held deploy fires now (null when none is held). */
  abstract releaseHeld(now: number): Promise<Requested | null>;
  abstract claim(deployId: string, jobId: string, now: number): Promise<Claim>;
  /**
   * Settles a claimed deploy's changes just before its dispatch: lists `missing` (entries it has already are
   * kept), and leaves out each entry whose write left the very ETag `dispatched` gives for its entity
   * (`<kind>:<id>` → ETag the last dispatch named as found in S3): that dispatch named it already.
   */
  abstract settleChanges(
    deployId: string,
    missing: ContentChange[],
    dispatched: Record<string, string>,
  ): Promise<Settled>;
  abstract markRetrying(deployId: string, attempts: number, lastError: string, retryAt: number): Promise<void>;
  /** Ends the in-flight deploy; the wake-up of the next deploy if one is now due. */
  abstract finish(deployId: string, final: FinalState, now: number): Promise<Wakeup | null>;
  abstract get(deployId: string): Promise<Deploy | null>;
  /** Newest first. */
  abstract list(limit: number): Promise<Deploy[]>;
  abstract pointers(): Promise<Pointers>;

  /** Run tracking: the dispatched deploys whose run is still followed. */
  abstract trackedRuns(): Promise<TrackedRuns>;
  /**
   * Run tracking saw the deploy's run: stores it and moves the deploy to `to`. Refused (false) when that would
   * move it backwards or out of a finished status, or it is no longer followed: late and replayed reports are harmless.
   */
  abstract runObserved(deployId: string, run: DeployRun, to: RunStatus, lastError: string | null): Promise<boolean>;
  /** Run tracking gives up on a deploy: it keeps its status, with a lastError saying why. */
  abstract stopTracking(deployId: string, lastError: string): Promise<void>;
  /** The newest deploy whose changes name the entity, then every deploy created after it, oldest first; [] when none is kept. */
  abstract deploysSinceChange(kind: EntityKind, id: string): Promise<Deploy[]>;
}
