import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import type { DeployRun } from '../deploy/deploy.types';
import { DeployEvents } from '../deploy/deploy-events';
import { DeployStore } from '../deploy/deploy-store';
import { loadLuaScript } from '../redis/lua-script';
import { RedisService } from '../redis/redis.service';
import type { DeployFacts } from './deploy-status.rules';
import { DeployRunStore, RunStatus, TrackedRuns } from './run-tracking.types';

const LUA = join(__dirname, '..', 'deploy', 'lua');
const SCRIPTS = {
  tracked: loadLuaScript(LUA, 'tracked-runs', ['history', 'inflight'], ['prefix']),
  observed: loadLuaScript(LUA, 'run-observed', ['record'], ['to', 'run', 'lastError']),
  stopped: loadLuaScript(LUA, 'run-tracking-stopped', ['record'], ['lastError']),
  sinceChange: loadLuaScript(LUA, 'deploys-since-change', ['history'], ['prefix', 'field']),
};

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** Run tracking's transitions of deploy records, one script each, published on DeployEvents like every transition. */
@Injectable()
export class RedisRunStore implements DeployRunStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisService,
    private readonly deploys: DeployStore,
    private readonly events: DeployEvents,
  ) {
    this.prefix = redis.key('deploys', '');
  }

  async trackedRuns(): Promise<TrackedRuns> {
    const keys = { history: this.redis.key('deploys', 'history'), inflight: this.redis.key('deploys', 'inflight') };
    const reply = JSON.parse(String(await this.redis.run(SCRIPTS.tracked, keys, { prefix: this.prefix }, 'The followed deploys could not be read'))) as {
      deploys: TrackedRuns['deploys'] | Record<string, never>;
      newestDispatchAt?: number;
      dispatchInFlight: boolean;
    };
    const deploys = Array.isArray(reply.deploys) ? reply.deploys.map((deploy) => ({ ...deploy, run: deploy.run ?? null })) : [];
    return { deploys, newestDispatchAt: reply.newestDispatchAt ?? null, dispatchInFlight: reply.dispatchInFlight };
  }

  async runObserved(deployId: string, run: DeployRun, to: RunStatus, lastError: string | null): Promise<boolean> {
    const args = { to, run: JSON.stringify(run), lastError: lastError ?? '' };
    const reply = JSON.parse(String(await this.redis.run(SCRIPTS.observed, { record: `${this.prefix}rec:${deployId}` }, args, `The run of deploy ${deployId} could not be recorded`))) as {
      from?: RunStatus | 'dispatched';
      to?: RunStatus;
    };
    if (!reply.to) return false;
    if (reply.from !== reply.to) {
      const deploy = await this.deploys.get(deployId).catch(() => null);
      if (deploy) this.events.publish({ deploy, from: reply.from ?? null, to: reply.to, at: Date.now() });
    }
    return true;
  }

  async stopTracking(deployId: string, lastError: string): Promise<void> {
    await this.redis.run(SCRIPTS.stopped, { record: `${this.prefix}rec:${deployId}` }, { lastError }, `Deploy ${deployId} could not be updated`);
  }

  async deploysSinceChange(kind: string, id: string): Promise<DeployFacts[] | null> {
    const keys = { history: this.redis.key('deploys', 'history') };
    const reply = JSON.parse(String(await this.redis.run(SCRIPTS.sinceChange, keys, { prefix: this.prefix, field: `${kind}:${id}` }, 'The deploy history could not be read'))) as {
      change?: { kind: string; id: string; at: string };
      deploys?: { id: string; status: string; dispatchedAt?: number; lastChangeAt?: number; run?: DeployRun }[];
    };
    if (!reply.change || !Array.isArray(reply.deploys)) return null;
    const { change } = reply;
    return reply.deploys.map((deploy, i) => ({
      id: deploy.id,
      status: deploy.status,
      changes: i === 0 ? [{ kind: change.kind, id: change.id, at: change.at }] : [],
      lastChangeAt: iso(deploy.lastChangeAt),
      dispatchedAt: iso(deploy.dispatchedAt),
      run: deploy.run ?? null,
    }));
  }
}
