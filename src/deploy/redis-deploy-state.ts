import { Inject, Injectable } from '@nestjs/common';
import type { ContentChange } from '../content/content-change';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';
import { DeployEvents } from './deploy-events';
import { Claim, FinalState, HELD_NOTE, Requested, RunStatus, Settled, Wakeup } from './deploy-state';
import { newDeployId } from './deploy-record';
import { ClaimReply, Finished, Moved, SCRIPTS, isMoved, wakeupOf } from './redis-deploy-scripts';
import { RedisDeployReads } from './redis-deploy-reads';
import { DeployReason, DeployRun, DeployStatus } from './deploy.types';

/** How many deploy records are kept (oldest dropped first; pending and in-flight ones never). */
export const HISTORY_LIMIT = 500;

/** DeployState on Redis: every transition is one script of ./lua, registered once per connection. */
@Injectable()
export class RedisDeployState extends RedisDeployReads {
  constructor(
    redis: RedisService,
    events: DeployEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(redis, events);
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

  /** A script that may have moved a deploy (an empty reply: it did not): publishes the move, says what to wake. */
  private async requested(moved: Moved | Record<string, never>, now: number): Promise<Requested | null> {
    if (!isMoved(moved)) return null;
    await this.moved(moved.id, moved.from, moved.to, now);
    return { deployId: moved.id, wakeup: wakeupOf(moved) };
  }
}
