import type { ContentChange, EntityKind } from '../../content/content-change';
import { DeployState, Pointers, RunStatus, TrackedRuns, Wakeup } from '../deploy-state';
import { changeField, newestFirst } from '../deploy-record';
import type { Deploy, DeployReason, DeployRun, DeployStatus } from '../deploy.types';

export interface Stored {
  deploy: Deploy;
  forced: boolean;
  jobs: number;
  /** Run tracking gave up on it. */
  untracked?: boolean;
}

/** How far a dispatched deploy has come; run tracking never moves one back, nor out of the last step. */
const RUN_STEP: Partial<Record<DeployStatus, number>> = {
  dispatched: 0,
  building: 1,
  live: 2,
  'build-failed': 2,
  superseded: 2,
};

/**
 * The book the in-memory DeployState keeps: its deploys and pointers, the reads, run tracking, and the small
 * moves every transition is made of. The transitions themselves are in in-memory-deploy-state.ts.
 */
export abstract class InMemoryDeployBook extends DeployState {
  readonly transitions: { id: string; from: DeployStatus | null; to: DeployStatus }[] = [];
  protected readonly deploys = new Map<string, Stored>();
  protected nextId: string | null = null;
  protected inflight: { deployId: string; jobId: string } | null = null;
  private counter = 0;
  /** The ETag each listed change's latest write left, by `<deployId> <kind>:<id>` (settleChanges compares it). */
  protected readonly etags = new Map<string, string>();

  get(deployId: string): Promise<Deploy | null> {
    const stored = this.deploys.get(deployId);
    return Promise.resolve(stored ? structuredClone(stored.deploy) : null);
  }

  list(limit: number): Promise<Deploy[]> {
    return Promise.resolve(
      [...this.deploys.values()]
        .map((s) => structuredClone(s.deploy))
        .sort((a, b) => (a.id < b.id ? 1 : -1))
        .slice(0, limit),
    );
  }

  pointers(): Promise<Pointers> {
    const next = this.nextId === null ? null : this.deploys.get(this.nextId)!;
    const scheduledFor = next?.deploy.scheduledFor ? Date.parse(next.deploy.scheduledFor) : null;
    return Promise.resolve({
      next: next && { deployId: next.deploy.id, status: next.deploy.status, scheduledFor, jobs: next.jobs },
      inflight: this.inflight && { ...this.inflight },
    });
  }

  trackedRuns(): Promise<TrackedRuns> {
    const all = [...this.deploys.values()];
    const dispatched = all.filter((s) => s.deploy.dispatchedAt !== null);
    const deploys = dispatched
      .filter((s) => (s.deploy.status === 'dispatched' || s.deploy.status === 'building') && !s.untracked)
      .map(({ deploy }) => ({
        id: deploy.id,
        status: deploy.status as 'dispatched' | 'building',
        run: deploy.run,
        dispatchedAt: Date.parse(deploy.dispatchedAt!),
      }));
    const newest =
      dispatched.length === 0 ? null : Math.max(...dispatched.map((s) => Date.parse(s.deploy.dispatchedAt!)));
    return Promise.resolve({ deploys, newestDispatchAt: newest, dispatchInFlight: this.inflight !== null });
  }

  runObserved(deployId: string, run: DeployRun, to: RunStatus, lastError: string | null): Promise<boolean> {
    const stored = this.deploys.get(deployId);
    const from = stored && RUN_STEP[stored.deploy.status];
    if (!stored || stored.untracked || from === undefined || from === 2 || RUN_STEP[to]! < from)
      return Promise.resolve(false);
    stored.deploy.run = { ...run };
    if (lastError !== null) stored.deploy.lastError = lastError;
    this.move(stored.deploy, stored.deploy.status, to);
    return Promise.resolve(true);
  }

  stopTracking(deployId: string, lastError: string): Promise<void> {
    const stored = this.deploys.get(deployId)!;
    if (stored.deploy.status === 'dispatched' || stored.deploy.status === 'building')
      Object.assign(stored, { untracked: true }).deploy.lastError = lastError;
    return Promise.resolve();
  }

  deploysSinceChange(kind: EntityKind, id: string): Promise<Deploy[]> {
    const oldestFirst = [...this.deploys.values()].map((s) => s.deploy).sort((a, b) => (a.id < b.id ? -1 : 1));
    const carrier = oldestFirst.findLastIndex((deploy) => deploy.changes.some((c) => c.kind === kind && c.id === id));
    return Promise.resolve(carrier < 0 ? [] : structuredClone(oldestFirst.slice(carrier)));
  }

  protected ensureNext(now: number, reason: DeployReason): { stored: Stored; from: DeployStatus | null } {
    if (this.nextId !== null) {
      const stored = this.deploys.get(this.nextId)!;
      return { stored, from: stored.deploy.status };
    }
    const id = `d${String(++this.counter).padStart(4, '0')}`;
    const stored: Stored = { deploy: this.blank(id, reason, now), forced: false, jobs: 0 };
    this.deploys.set(id, stored);
    this.nextId = id;
    this.transitions.push({ id, from: null, to: 'pending' });
    return { stored, from: null };
  }

  protected blank(id: string, reason: DeployReason, now: number): Deploy {
    return {
      id,
      status: 'pending',
      reason,
      changes: [],
      changeCount: 0,
      editCount: 0,
      firstChangeAt: null,
      lastChangeAt: null,
      scheduledFor: iso(now),
      dispatchedAt: null,
      attempts: 0,
      lastError: null,
      run: null,
    };
  }

  protected force(stored: Stored, now: number, from: DeployStatus | null): void {
    stored.forced = true;
    Object.assign(stored.deploy, { scheduledFor: iso(now), lastError: null });
    this.move(stored.deploy, from, 'pending');
  }

  protected job(stored: Stored): Wakeup | null {
    if (this.inflight !== null) return null;
    stored.jobs++;
    return this.wakeupOf(stored);
  }

  protected wakeupOf({ deploy, jobs }: Stored): Wakeup {
    return { deployId: deploy.id, scheduledFor: Date.parse(deploy.scheduledFor!), jobNumber: jobs };
  }

  protected setChange(deploy: Deploy, { etag, ...shown }: ContentChange): void {
    const key = `${deploy.id} ${changeField(shown)}`;
    if (etag === undefined) this.etags.delete(key);
    else this.etags.set(key, etag);
    deploy.changes = [shown, ...deploy.changes.filter((c) => changeField(c) !== changeField(shown))].sort(newestFirst);
    deploy.changeCount = deploy.changes.length;
  }

  protected move(deploy: Deploy, from: DeployStatus | null, to: DeployStatus): void {
    deploy.status = to;
    if (from !== to && from !== null) this.transitions.push({ id: deploy.id, from, to });
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();
