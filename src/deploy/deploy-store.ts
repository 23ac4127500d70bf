import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ContentChange } from '../content/content-events';
import { RedisService } from '../redis/redis.service';
import { CLAIM, FINISH, FORCE_NOW, RECONCILE, RECORD_CHANGE } from './deploy-scripts';
import { Deploy, DeployChange, DeployReason, DeployStatus } from './deploy.types';

/** How many deploy records are kept (oldest dropped first; pending and in-flight ones never). */
export const HISTORY_LIMIT = 500;

/** A pending deploy that needs a wake-up job: `jobNumber` makes the job id unique. */
export interface Wakeup {
  deployId: string;
  scheduledFor: number;
  jobNumber: number;
}

export type Claim = { kind: 'claimed' | 'resume' | 'busy'; deployId: string } | { kind: 'stale' } | { kind: 'wait'; scheduledFor: number };

export interface FinalState {
  status: Extract<DeployStatus, 'dispatched' | 'dry-run' | 'failed'>;
  attempts: number;
  lastError?: string;
  dispatchedAt?: number;
  /** Carry the changes into the pending deploy (after a failure). */
  carry: boolean;
}

const iso = (ms: string | undefined): string | null => (ms === undefined || ms === '' ? null : new Date(Number(ms)).toISOString());

/** Deploy ids sort by time and are unique across instances. */
export function newDeployId(now = Date.now()): string {
  return `${now.toString(36)}-${randomUUID().slice(0, 8)}`;
}

function wakeup(reply: unknown[]): Wakeup | null {
  const [deployId, scheduledFor, jobNumber] = reply as [string, number, number];
  return deployId === undefined || !jobNumber ? null : { deployId, scheduledFor: Number(scheduledFor), jobNumber: Number(jobNumber) };
}

/** The deploy state and history in Redis, moved only by the atomic scripts in deploy-scripts.ts. */
@Injectable()
export class DeployStore {
  private readonly prefix: string;
  private readonly keys: { next: string; inflight: string; history: string };

  constructor(private readonly redis: RedisService) {
    this.prefix = redis.key('deploys', '');
    this.keys = { next: redis.key('deploys', 'next'), inflight: redis.key('deploys', 'inflight'), history: redis.key('deploys', 'history') };
  }

  private run(script: string, keys: string[], args: (string | number)[]): Promise<unknown[]> {
    return this.redis.command(() => this.redis.client.eval(script, keys.length, ...keys, this.prefix, ...args) as Promise<unknown[]>);
  }

  /** Adds a change to the pending deploy; returns a wake-up to schedule when a job must be created. */
  async recordChange(change: ContentChange, now: number, debounceMs: number, maxWaitMs: number): Promise<Wakeup | null> {
    const entry: DeployChange = { kind: change.kind, id: change.id, action: change.action, at: change.at };
    const { next, history, inflight } = this.keys;
    const reply = await this.run(RECORD_CHANGE, [next, history, inflight], [now, debounceMs, maxWaitMs, newDeployId(now), `${change.kind}:${change.id}`, JSON.stringify(entry)]);
    return wakeup(reply);
  }

  /** Makes the pending deploy (created if none) fire now. Returns its id and the wake-up, if one is due. */
  async forceNow(reason: Exclude<DeployReason, 'changes'>, now: number): Promise<{ deployId: string; wakeup: Wakeup | null }> {
    const { next, history, inflight } = this.keys;
    const reply = await this.run(FORCE_NOW, [next, history, inflight], [now, newDeployId(now), reason]);
    return { deployId: reply[0] as string, wakeup: wakeup(reply) };
  }

  /** When `deployId` is due, if it is the pending deploy and none is in flight; else null. A cheap look before the claim. */
  async dueAt(deployId: string): Promise<number | null> {
    const [next, inflight] = await this.redis.command(() => this.redis.client.mget(this.keys.next, this.keys.inflight));
    if (next !== deployId || inflight !== null) return null;
    const scheduledFor = await this.redis.command(() => this.redis.client.hget(`${this.prefix}rec:${deployId}`, 'scheduledFor'));
    return scheduledFor === null ? null : Number(scheduledFor);
  }

  /** Starts a `reconcile` deploy for `changes`, unless a deploy is already pending (null then). */
  async reconcile(changes: DeployChange[], now: number): Promise<{ deployId: string; wakeup: Wakeup | null } | null> {
    const { next, history, inflight } = this.keys;
    // cjson would encode an empty Lua table as an object; an empty JSON array decodes fine.
    const reply = await this.run(RECONCILE, [next, history, inflight], [now, newDeployId(now), JSON.stringify(changes)]);
    return reply.length === 0 ? null : { deployId: reply[0] as string, wakeup: wakeup(reply) };
  }

  async claim(deployId: string, jobId: string, now: number): Promise<Claim> {
    const [kind, value] = (await this.run(CLAIM, [this.keys.next, this.keys.inflight], [deployId, jobId, now])) as [string, string | number | undefined];
    if (kind === 'stale') return { kind };
    if (kind === 'wait') return { kind, scheduledFor: Number(value) };
    return { kind: kind as 'claimed' | 'resume' | 'busy', deployId: String(value) };
  }

  /** Lists more changes on a claimed deploy; entries it already has (the recorded edits) are kept. */
  async addChanges(deployId: string, changes: DeployChange[]): Promise<void> {
    if (changes.length === 0) return;
    const entries = changes.flatMap((c) => [`${c.kind}:${c.id}`, JSON.stringify(c)]);
    const key = `${this.prefix}chg:${deployId}`;
    await this.redis.command(() => this.redis.client.eval(`for i = 1, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end`, 1, key, ...entries));
  }

  async markRetrying(deployId: string, attempts: number, lastError: string, retryAt: number): Promise<void> {
    await this.redis.command(() =>
      this.redis.client.hset(`${this.prefix}rec:${deployId}`, 'status', 'retrying', 'attempts', attempts, 'lastError', lastError, 'scheduledFor', retryAt),
    );
  }

  /** Records the final state and returns the wake-up of the pending deploy, if any is now due. */
  async finish(deployId: string, final: FinalState, now: number): Promise<Wakeup | null> {
    const { inflight, next, history } = this.keys;
    const args = [deployId, final.status, now, final.attempts, final.lastError ?? '', final.dispatchedAt ?? '', final.carry ? 1 : 0, newDeployId(now), HISTORY_LIMIT];
    return wakeup(await this.run(FINISH, [inflight, next, history], args));
  }

  async get(deployId: string): Promise<Deploy | null> {
    const [record, changes] = await this.redis.command(() =>
      Promise.all([this.redis.client.hgetall(`${this.prefix}rec:${deployId}`), this.redis.client.hvals(`${this.prefix}chg:${deployId}`)]),
    );
    if (record.id === undefined) return null;
    const list = changes.map((c) => JSON.parse(c) as DeployChange).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    return {
      id: record.id,
      status: record.status as DeployStatus,
      reason: record.reason as DeployReason,
      changes: list,
      changeCount: list.length,
      editCount: Number(record.editCount ?? 0),
      firstChangeAt: iso(record.firstChangeAt),
      lastChangeAt: iso(record.lastChangeAt),
      scheduledFor: iso(record.scheduledFor),
      dispatchedAt: iso(record.dispatchedAt),
      attempts: Number(record.attempts ?? 0),
      lastError: record.lastError ?? null,
      run: record.run ? (JSON.parse(record.run) as Deploy['run']) : null,
    };
  }

  /** Newest first. */
  async list(limit: number): Promise<Deploy[]> {
    const ids = await this.redis.command(() => this.redis.client.zrevrange(this.keys.history, 0, limit - 1));
    const deploys = await Promise.all(ids.map((id) => this.get(id)));
    return deploys.filter((d): d is Deploy => d !== null);
  }

  /** The pending and in-flight deploys, for the watchdog. A held pending deploy waits for a person. */
  async pointers(): Promise<{ next: { deployId: string; held: boolean } | null; inflight: { deployId: string; jobId: string } | null }> {
    const [next, inflight] = await this.redis.command(() => this.redis.client.mget(this.keys.next, this.keys.inflight));
    const held = next !== null && (await this.redis.command(() => this.redis.client.hget(`${this.prefix}rec:${next}`, 'held'))) === '1';
    const [deployId, jobId] = (inflight ?? '').split(' ');
    return { next: next === null ? null : { deployId: next, held }, inflight: inflight ? { deployId, jobId } : null };
  }
}
