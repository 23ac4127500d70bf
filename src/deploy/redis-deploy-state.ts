import { Inject, Injectable } from '@nestjs/common';
import type { ContentChange, EntityKind } from '../content/content-change';
import { APP_CONFIG, AppConfig } from '../config/app-config';
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
  TrackedDeploy,
  TrackedRuns,
  Wakeup,
} from './deploy-state';
import { newDeployId, toDeploy } from './deploy-record';
import { Finished, Moved, POINTER_KEYS, SCRIPTS, isMoved, wakeupOf } from './redis-deploy-scripts';
import { Deploy, DeployReason, DeployRun, DeployStatus } from './deploy.types';

/** How many deploy records are kept (oldest dropped first; pending and in-flight ones never). */
export const HISTORY_LIMIT = 500;

/** DeployState on Redis: every transition is one script of ./lua, registered once per connection. */
@Injectable()
export class RedisDeployState extends DeployState {
  private readonly prefix: string;
  private readonly keys: Record<(typeof POINTER_KEYS)[number], string>;

  constructor(
    private readonly redis: RedisService,
    private readonly events: DeployEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
    this.prefix = redis.key('deploys', '');
    this.keys = {
      next: redis.key('deploys', 'next'),
      inflight: redis.key('deploys', 'inflight'),
      history: redis.key('deploys', 'history'),
    };
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
    const moved = await this.json<Moved>(
      this.redis.run(SCRIPTS.recordChange, this.keys, args, 'The change was saved, but its deploy could not be queued'),
    );
    await this.moved(moved.id, moved.from, moved.to, now);
    return wakeupOf(moved);
  }

  async requestNow(reason: Exclude<DeployReason, 'changes'>, now: number): Promise<Requested> {
    const args = { prefix: this.prefix, now, newId: newDeployId(now), reason };
    const moved = await this.json<Moved>(
      this.redis.run(SCRIPTS.requestNow, this.keys, args, 'The deploy was not requested'),
    );
    await this.moved(moved.id, moved.from, moved.to, now);
    return { deployId: moved.id, wakeup: wakeupOf(moved) };
  }

  async reconcile(changes: ContentChange[], now: number): Promise<Requested | null> {
    const args = { prefix: this.prefix, now, newId: newDeployId(now), changes: JSON.stringify(changes) };
    const moved = await this.json<Moved | Record<string, never>>(
      this.redis.run(SCRIPTS.reconcile, this.keys, args, 'The reconcile deploy was not requested'),
    );
    if (!isMoved(moved)) return null;
    await this.moved(moved.id, moved.from, moved.to, now);
    return { deployId: moved.id, wakeup: wakeupOf(moved) };
  }

  async releaseHeld(now: number): Promise<Requested | null> {
    const keys = { next: this.keys.next, inflight: this.keys.inflight };
    const moved = await this.json<Moved | Record<string, never>>(
      this.redis.run(SCRIPTS.releaseHeld, keys, { prefix: this.prefix, now }, 'The held deploy was not released'),
    );
    if (!isMoved(moved)) return null;
    await this.moved(moved.id, moved.from, moved.to, now);
    return { deployId: moved.id, wakeup: wakeupOf(moved) };
  }

  async claim(deployId: string, jobId: string, now: number): Promise<Claim> {
    const keys = { next: this.keys.next, inflight: this.keys.inflight };
    const reply = await this.json<{ kind: Claim['kind']; id?: string; from?: DeployStatus; scheduledFor?: number }>(
      this.redis.run(
        SCRIPTS.claim,
        keys,
        { prefix: this.prefix, deployId, jobId, now },
        `Deploy ${deployId} could not be claimed`,
      ),
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
    const reply = await this.json<{ from?: DeployStatus; to?: DeployStatus }>(
      this.redis.run(
        SCRIPTS.markRetrying,
        { record: `${this.prefix}rec:${deployId}` },
        { attempts, lastError, retryAt },
        `Deploy ${deployId}'s retry could not be recorded`,
      ),
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
    const keys = { inflight: this.keys.inflight, next: this.keys.next, history: this.keys.history };
    const done = await this.json<Finished>(
      this.redis.run(SCRIPTS.finish, keys, args, `The outcome of deploy ${deployId} could not be recorded`),
    );
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
    const keys = { next: this.keys.next, inflight: this.keys.inflight };
    const reply = await this.json<{
      next?: { id: string; status: DeployStatus; scheduledFor?: number; jobs: number };
      inflight?: { id: string; jobId: string };
    }>(this.redis.run(SCRIPTS.pointers, keys, { prefix: this.prefix }, 'The deploy state could not be read'));
    return {
      next: reply.next
        ? {
            deployId: reply.next.id,
            status: reply.next.status,
            scheduledFor: reply.next.scheduledFor ?? null,
            jobs: reply.next.jobs,
          }
        : null,
      inflight: reply.inflight ? { deployId: reply.inflight.id, jobId: reply.inflight.jobId } : null,
    };
  }

  async trackedRuns(): Promise<TrackedRuns> {
    const keys = { history: this.keys.history, inflight: this.keys.inflight };
    const reply = await this.json<{
      deploys: (Omit<TrackedDeploy, 'run'> & { run?: DeployRun })[] | Record<string, never>;
      newestDispatchAt?: number;
      dispatchInFlight: boolean;
    }>(this.redis.run(SCRIPTS.trackedRuns, keys, { prefix: this.prefix }, 'The followed deploys could not be read'));
    const deploys = Array.isArray(reply.deploys)
      ? reply.deploys.map((deploy) => ({ ...deploy, run: deploy.run ?? null }))
      : [];
    return { deploys, newestDispatchAt: reply.newestDispatchAt ?? null, dispatchInFlight: reply.dispatchInFlight };
  }

  async runObserved(deployId: string, run: DeployRun, to: RunStatus, lastError: string | null): Promise<boolean> {
    const args = { to, run: JSON.stringify(run), lastError: lastError ?? '' };
    const reply = await this.json<{ from?: DeployStatus; to?: DeployStatus }>(
      this.redis.run(
        SCRIPTS.runObserved,
        { record: `${this.prefix}rec:${deployId}` },
        args,
        `The run of deploy ${deployId} could not be recorded`,
      ),
    );
    if (!reply.to) return false;
    await this.moved(deployId, reply.from, reply.to, Date.now());
    return true;
  }

  async stopTracking(deployId: string, lastError: string): Promise<void> {
    await this.redis.run(
      SCRIPTS.stopTracking,
      { record: `${this.prefix}rec:${deployId}` },
      { lastError },
      `Deploy ${deployId} could not be updated`,
    );
  }

  async deploysSinceChange(kind: EntityKind, id: string): Promise<Deploy[]> {
    const args = { prefix: this.prefix, field: `${kind}:${id}` };
    const ids = await this.json<string[] | Record<string, never>>(
      this.redis.run(SCRIPTS.sinceChange, { history: this.keys.history }, args, 'The deploy history could not be read'),
    );
    return Array.isArray(ids) && ids.length > 0 ? this.read(ids, ids.length) : [];
  }

  private async read(ids: string[], limit: number): Promise<Deploy[]> {
    const args = { prefix: this.prefix, limit, ids: JSON.stringify(ids) };
    const rows = await this.json<{ record: Record<string, string>; changes: string[] | Record<string, never> }[]>(
      this.redis.run(SCRIPTS.read, { history: this.keys.history }, args, 'The deploys could not be read'),
    );
    return rows.map((row) => toDeploy(row.record, Array.isArray(row.changes) ? row.changes : []));
  }

  private async json<T>(reply: Promise<unknown>): Promise<T> {
    return JSON.parse(String(await reply)) as T;
  }

  /** Publishes a transition (not a change within one status) with the deploy as it is now. */
  private async moved(deployId: string, from: DeployStatus | undefined, to: DeployStatus, at: number): Promise<void> {
    if (from === to) return;
    const deploy = await this.get(deployId).catch(() => null);
    if (deploy !== null) this.events.publish({ deploy, from: from ?? null, to, at });
  }
}
