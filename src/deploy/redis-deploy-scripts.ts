import { join } from 'node:path';
import { loadLuaScript } from '../redis/lua-script';
import { Wakeup } from './deploy-state';
import { DeployStatus } from './deploy.types';

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
