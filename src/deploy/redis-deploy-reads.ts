import type { EntityKind } from '../content/content-change';
import type { LuaScript } from '../redis/lua-script';
import { RedisService } from '../redis/redis.service';
import { DeployEvents } from './deploy-events';
import { DeployState, Pointers, TrackedRuns } from './deploy-state';
import { changeField, toDeploy } from './deploy-record';
import { Deploy, DeployStatus } from './deploy.types';
import { POINTER_KEYS, SCRIPTS, listOf, toPointers, toTrackedRuns } from './redis-deploy-scripts';

/**
 * The read side of the deploy state on Redis, and what its transitions share: the key layout, running a
 * script whose reply is JSON, and publishing a move. RedisDeployState adds the transitions.
 */
export abstract class RedisDeployReads extends DeployState {
  protected readonly prefix: string;
  protected readonly keys: Record<(typeof POINTER_KEYS)[number], string>;
  /** The two pointers alone, for the scripts that need no history. */
  protected readonly slots: { next: string; inflight: string };

  constructor(
    protected readonly redis: RedisService,
    private readonly events: DeployEvents,
  ) {
    super();
    this.prefix = redis.key('deploys', '');
    this.slots = { next: redis.key('deploys', 'next'), inflight: redis.key('deploys', 'inflight') };
    this.keys = { ...this.slots, history: redis.key('deploys', 'history') };
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

  async deploysSinceChange(kind: EntityKind, id: string): Promise<Deploy[]> {
    const keys = { history: this.keys.history };
    const args = { prefix: this.prefix, field: changeField({ kind, id }) };
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

  protected record(deployId: string): string {
    return `${this.prefix}rec:${deployId}`;
  }

  /** Runs a script whose reply is JSON. */
  protected async ask<T, K extends string = string, A extends string = string>(
    script: LuaScript<K, A>,
    keys: Record<K, string>,
    args: Record<A, string | number>,
    action: string,
  ): Promise<T> {
    return JSON.parse(String(await this.redis.run(script, keys, args, action))) as T;
  }

  /** Publishes a transition (not a change within one status) with the deploy as it is now. */
  protected async moved(deployId: string, from: DeployStatus | undefined, to: DeployStatus, at: number): Promise<void> {
    if (from === to) return;
    const deploy = await this.get(deployId).catch(() => null);
    if (deploy !== null) this.events.publish({ deploy, from: from ?? null, to, at });
  }
}
