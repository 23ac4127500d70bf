import { Inject, Injectable } from '@nestjs/common';
import type { ContentChange, EntityKind } from '../content/content-change';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { LuaScript } from '../redis/lua-script';
import { RedisService } from '../redis/redis.service';
import { DeployEvents } from './deploy-events';
import {
  Claim,
  DeployState,
  FinalState,
  HELD_NOTE,
  Pointers,
  Requested,
  RunStatus,
  Settled,
  TrackedRuns,
  Wakeup,
} from './deploy-state';
import { newDeployId, toDeploy } from './deploy-record';
import {
  ClaimReply,
  Finished,
  Moved,
  POINTER_KEYS,
  SCRIPTS,
  isMoved,
  listOf,
  toPointers,
  toTrackedRuns,
  wakeupOf,
} from './redis-deploy-scripts';
import { Deploy, DeployReason, DeployRun, DeployStatus } from './deploy.types';

/** How many deploy records are kept (oldest dropped first; pending and in-flight ones never). */
export const HISTORY_LIMIT = 500;

/** DeployState on Redis: every transition is one script of ./lua, registered once per connection. */
@Injectable()
export class RedisDeployState extends DeployState {
  private readonly prefix: string;
  private readonly keys: Record<(typeof POINTER_KEYS)[number], string>;
  /** The two pointers alone, for the scripts that need no history. */
  private readonly slots: { next: string; inflight: string };

  constructor(
    private readonly redis: RedisService,
    private readonly events: DeployEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
    this.prefix = redis.key('deploys', '');
    this.slots = { next: redis.key('deploys', 'next'), inflight: redis.key('deploys', 'inflight') };
    this.keys = { ...this.slots, history: redis.key('deploys', 'history') };
  }

  async recordChange(change: ContentChange, now: number): Promise<Wakeup | null> {
    const { debounceMs, maxWaitMs } = this.config.deploy;
    const args = {
      prefix: this.prefix,
      now,
      debounceMs,
      maxWaitMs,
      newId: newDeployId(now),
      change: JSON.stringify(change),
    };
    const moved = await this.ask<Moved>(
      SCRIPTS.recordChange,
      this.keys,
      args,
      'The change was saved, but its deploy could not be queued',
    );
    return (await this.requested(moved, now))!.wakeup;
  }

  async requestNow(reason: Exclude<DeployReason, 'changes'>, now: number): Promise<Requested> {
    const args = { prefix: this.prefix, now, newId: newDeployId(now), reason };
    return (await this.requested(
      await this.ask(SCRIPTS.requestNow, this.keys, args, 'The deploy was not requested'),
      now,
    ))!;
  }

  async reconcile(changes: ContentChange[], now: number): Promise<Requested | null> {
    const args = { prefix: this.prefix, now, newId: newDeployId(now), changes: JSON.stringify(changes) };
    return this.requested(
      await this.ask(SCRIPTS.reconcile, this.keys, args, 'The reconcile deploy was not requested'),
      now,
    );
  }

  async releaseHeld(now: number): Promise<Requested | null> {
    const args = { prefix: this.prefix, now };
    return this.requested(
      await this.ask(SCRIPTS.releaseHeld, this.slots, args, 'The held deploy was not released'),
      now,
    );
  }

  async claim(deployId: string, jobId: string, now: number): Promise<Claim> {
    const args = { prefix: this.prefix, deployId, jobId, now };
    const reply = await this.ask<ClaimReply>(
      SCRIPTS.claim,
      this.slots,
      args,
      `Deploy ${deployId} could not be claimed`,
    );
    switch (reply.kind) {
      case 'wait':
        return { kind: 'wait', scheduledFor: reply.scheduledFor! };
      case 'stale':
      case 'held':
        return { kind: reply.kind };
      case 'busy':
        return { kind: 'busy', deployId: reply.id! };
      case 'claimed':
      case 'resumed':
        await this.moved(reply.id!, reply.from, 'dispatching', now);
        return { kind: reply.kind, deployId: reply.id! };
    }
  }

  async settleChanges(
    deployId: string,
    missing: ContentChange[],
    dispatched: Record<string, string>,
  ): Promise<Settled> {
    if (missing.length === 0 && Object.keys(dispatched).length === 0) return { added: 0, dropped: [] };
    const [added, ...dropped] = (await this.redis.run(
      SCRIPTS.settleChanges,
      { changes: `${this.prefix}chg:${deployId}` },
      { changes: JSON.stringify(missing), dispatched: JSON.stringify(dispatched) },
      `Deploy ${deployId}'s changes could not be listed`,
    )) as [number, ...string[]];
    return { added, dropped };
  }

  async markRetrying(deployId: string, attempts: number, lastError: string, retryAt: number): Promise<void> {
    const reply = await this.ask<{ from?: DeployStatus; to?: DeployStatus }>(
      SCRIPTS.markRetrying,
      { record: this.record(deployId) },
      { attempts, lastError, retryAt },
      `Deploy ${deployId}'s retry could not be recorded`,
    );
    if (reply.to) await this.moved(deployId, reply.from, reply.to, Date.now());
  }

  async finish(deployId: string, final: FinalState, now: number): Promise<Wakeup | null> {
    const run: DeployRun | undefined = final.run && {
      ...final.run,
      status: 'queued',
      conclusion: null,
      startedAt: null,
      completedAt: null,
    };
    const args = {
      prefix: this.prefix,
      deployId,
      status: final.status,
      now,
      attempts: final.attempts,
      lastError: final.lastError ?? '',
      dispatchedAt: final.dispatchedAt ?? '',
      run: run ? JSON.stringify(run) : '',
      carry: final.carry ? 1 : 0,
      newId: newDeployId(now),
      heldNote: HELD_NOTE,
      historyMax: HISTORY_LIMIT,
    };
    const action = `The outcome of deploy ${deployId} could not be recorded`;
    const done = await this.ask<Finished>(SCRIPTS.finish, this.keys, args, action);
    await this.moved(deployId, done.from, done.to, now);
    if (done.carriedTo) await this.moved(done.carriedTo.id, done.carriedTo.from, done.carriedTo.to, now);
    return done.next
      ? { deployId: done.next.id, scheduledFor: done.next.scheduledFor, jobNumber: done.next.job }
      : null;
  }

  async get(deployId: string): Promise<Deploy | null> {
    return (await this.read([deployId], 1))[0] ?? null;
  }

  list(limit: number): Promise<Deploy[]> {
    return this.read([], limit);
  }

  async pointers(): Promise<Pointers> {
    const args = { prefix: this.prefix };
    return toPointers(await this.ask(SCRIPTS.pointers, this.slots, args, 'The deploy state could not be read'));
  }

  async trackedRuns(): Promise<TrackedRuns> {
    const keys = { history: this.keys.history, inflight: this.keys.inflight };
    const args = { prefix: this.prefix };
    return toTrackedRuns(await this.ask(SCRIPTS.trackedRuns, keys, args, 'The followed deploys could not be read'));
  }

  async runObserved(deployId: string, run: DeployRun, to: RunStatus, lastError: string | null): Promise<boolean> {
    const reply = await this.ask<{ from?: DeployStatus; to?: DeployStatus }>(
      SCRIPTS.runObserved,
      { record: this.record(deployId) },
      { to, run: JSON.stringify(run), lastError: lastError ?? '' },
      `The run of deploy ${deployId} could not be recorded`,
    );
    if (!reply.to) return false;
    await this.moved(deployId, reply.from, reply.to, Date.now());
    return true;
  }

  async stopTracking(deployId: string, lastError: string): Promise<void> {
    const keys = { record: this.record(deployId) };
    await this.redis.run(SCRIPTS.stopTracking, keys, { lastError }, `Deploy ${deployId} could not be updated`);
  }

  async deploysSinceChange(kind: EntityKind, id: string): Promise<Deploy[]> {
    const keys = { history: this.keys.history };
    const args = { prefix: this.prefix, field: `${kind}:${id}` };
    const ids = listOf(
      await this.ask<string[] | Record<string, never>>(
        SCRIPTS.sinceChange,
        keys,
        args,
        'The deploy history could not be read',
      ),
    );
    return ids.length > 0 ? this.read(ids, ids.length) : [];
  }

  private async read(ids: string[], limit: number): Promise<Deploy[]> {
    const args = { prefix: this.prefix, limit, ids: JSON.stringify(ids) };
    const rows = await this.ask<{ record: Record<string, string>; changes: string[] | Record<string, never> }[]>(
      SCRIPTS.read,
      { history: this.keys.history },
      args,
      'The deploys could not be read',
    );
    return rows.map((row) => toDeploy(row.record, listOf(row.changes)));
  }

  private record(deployId: string): string {
    return `${this.prefix}rec:${deployId}`;
  }

  /** Runs a script whose reply is JSON. */
  private async ask<T, K extends string = string, A extends string = string>(
    script: LuaScript<K, A>,
    keys: Record<K, string>,
    args: Record<A, string | number>,
    action: string,
  ): Promise<T> {
    return JSON.parse(String(await this.redis.run(script, keys, args, action))) as T;
  }

  /** A script that may have moved a deploy (an empty reply: it did not): publishes the move, says what to wake. */
  private async requested(moved: Moved | Record<string, never>, now: number): Promise<Requested | null> {
    if (!isMoved(moved)) return null;
    await this.moved(moved.id, moved.from, moved.to, now);
    return { deployId: moved.id, wakeup: wakeupOf(moved) };
  }

  /** Publishes a transition (not a change within one status) with the deploy as it is now. */
  private async moved(deployId: string, from: DeployStatus | undefined, to: DeployStatus, at: number): Promise<void> {
    if (from === to) return;
    const deploy = await this.get(deployId).catch(() => null);
    if (deploy !== null) this.events.publish({ deploy, from: from ?? null, to, at });
  }
}
