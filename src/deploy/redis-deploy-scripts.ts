import { join } from 'node:path';
import { loadLuaScript } from '../redis/lua-script';
import { Claim, Pointers, TrackedDeploy, TrackedRuns, Wakeup } from './deploy-state';
import { DeployRun, DeployStatus } from './deploy.types';

/**
 * The deploy state's Lua scripts (./lua, one transition each) with the keys and arguments their headers
 * declare, and the shapes of their replies. Only RedisDeployState runs them.
 */
const LUA = join(__dirname, 'lua');
export const POINTER_KEYS = ['next', 'history', 'inflight'] as const;
export const SCRIPTS = {
  recordChange: loadLuaScript(LUA, 'record-change', POINTER_KEYS, [
    'prefix',
    'now',
    'debounceMs',
    'maxWaitMs',
    'newId',
    'change',
  ]),
  requestNow: loadLuaScript(LUA, 'request-now', POINTER_KEYS, ['prefix', 'now', 'newId', 'reason']),
  reconcile: loadLuaScript(LUA, 'reconcile', POINTER_KEYS, ['prefix', 'now', 'newId', 'changes']),
  releaseHeld: loadLuaScript(LUA, 'release-held', ['next', 'inflight'], ['prefix', 'now']),
  claim: loadLuaScript(LUA, 'claim', ['next', 'inflight'], ['prefix', 'deployId', 'jobId', 'now']),
  settleChanges: loadLuaScript(LUA, 'settle-changes', ['changes'], ['changes', 'dispatched']),
  markRetrying: loadLuaScript(LUA, 'mark-retrying', ['record'], ['attempts', 'lastError', 'retryAt']),
  finish: loadLuaScript(
    LUA,
    'finish',
    ['inflight', 'next', 'history'],
    [
      'prefix',
      'deployId',
      'status',
      'now',
      'attempts',
      'lastError',
      'dispatchedAt',
      'run',
      'carry',
      'newId',
      'heldNote',
      'historyMax',
    ],
  ),
  pointers: loadLuaScript(LUA, 'pointers', ['next', 'inflight'], ['prefix']),
  read: loadLuaScript(LUA, 'read-deploys', ['history'], ['prefix', 'limit', 'ids']),
  trackedRuns: loadLuaScript(LUA, 'tracked-runs', ['history', 'inflight'], ['prefix']),
  runObserved: loadLuaScript(LUA, 'run-observed', ['record'], ['to', 'run', 'lastError']),
  stopTracking: loadLuaScript(LUA, 'run-tracking-stopped', ['record'], ['lastError']),
  sinceChange: loadLuaScript(LUA, 'deploys-since-change', ['history'], ['prefix', 'field']),
};

/** The reply of a script that moved a deploy. */
export interface Moved {
  id: string;
  from?: DeployStatus;
  to: DeployStatus;
  scheduledFor: number;
  job: number;
  promote?: number;
}

export interface Finished {
  from?: DeployStatus;
  to: DeployStatus;
  carriedTo?: { id: string; from?: DeployStatus; to: DeployStatus };
  next?: { id: string; scheduledFor: number; job: number };
}

export interface ClaimReply {
  kind: Claim['kind'];
  id?: string;
  from?: DeployStatus;
  scheduledFor?: number;
}

interface PointersReply {
  next?: { id: string; status: DeployStatus; scheduledFor?: number; jobs: number };
  inflight?: { id: string; jobId: string };
}

interface TrackedRunsReply {
  deploys: (Omit<TrackedDeploy, 'run'> & { run?: DeployRun })[] | Record<string, never>;
  newestDispatchAt?: number;
  dispatchInFlight: boolean;
}

/** Lua's cjson encodes an empty list as an empty object. */
export const listOf = <T>(reply: T[] | Record<string, never>): T[] => (Array.isArray(reply) ? reply : []);

export const toPointers = ({ next, inflight }: PointersReply): Pointers => ({
  next: next
    ? { deployId: next.id, status: next.status, scheduledFor: next.scheduledFor ?? null, jobs: next.jobs }
    : null,
  inflight: inflight ? { deployId: inflight.id, jobId: inflight.jobId } : null,
});

export const toTrackedRuns = (reply: TrackedRunsReply): TrackedRuns => ({
  deploys: listOf(reply.deploys).map((deploy) => ({ ...deploy, run: deploy.run ?? null })),
  newestDispatchAt: reply.newestDispatchAt ?? null,
  dispatchInFlight: reply.dispatchInFlight,
});

export const isMoved = (reply: Moved | Record<string, never>): reply is Moved => 'id' in reply;

export const wakeupOf = (moved: Moved): Wakeup | null =>
  moved.job > 0
    ? {
        deployId: moved.id,
        scheduledFor: moved.scheduledFor,
        jobNumber: moved.job,
        ...(moved.promote ? { promote: true } : {}),
      }
    : null;
