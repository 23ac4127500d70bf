import type { ContentChange, EntityKind } from '../../content/content-change';
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
} from '../deploy-state';
import { changeField, newestFirst } from '../deploy-record';
import type { Deploy, DeployReason, DeployRun, DeployStatus } from '../deploy.types';

interface Stored {
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
 * DeployState in memory, for fast unit tests of the code that asks it (processor, watchdog, reconciler).
 * It follows the same transitions as the Lua scripts, in their simplest form: reported actions are the
 * latest ones and the schedule is the quiet window alone (the real rules are proven on Redis in
 * test/deploy-state.e2e-spec.ts). `transitions` records every move, for assertions.
 */
export class InMemoryDeployState extends DeployState {
  readonly transitions: { id: string; from: DeployStatus | null; to: DeployStatus }[] = [];
  private readonly deploys = new Map<string, Stored>();
  private nextId: string | null = null;
  private inflight: { deployId: string; jobId: string } | null = null;
  private counter = 0;
  /** The ETag each listed change's latest write left, by `<deployId> <kind>:<id>` (settleChanges compares it). */
  private readonly etags = new Map<string, string>();

  constructor(private readonly debounceMs = 1_000) {
    super();
  }

  /** Puts a deploy straight into a state, as a test's starting point. */
  seed(
    deploy: Partial<Deploy> & { id: string; status: DeployStatus },
    where: 'next' | { jobId: string } | 'history' = 'history',
  ): void {
    this.deploys.set(deploy.id, {
      deploy: { ...this.blank(deploy.id, 'changes', 0), ...deploy },
      forced: false,
      jobs: 1,
    });
    if (where === 'next') this.nextId = deploy.id;
    else if (where !== 'history') this.inflight = { deployId: deploy.id, jobId: where.jobId };
  }

  recordChange(change: ContentChange, now: number): Promise<Wakeup | null> {
    const { stored, from } = this.ensureNext(now, 'changes');
    const { deploy } = stored;
    this.setChange(deploy, change);
    deploy.editCount++;
    deploy.firstChangeAt ??= iso(now);
    deploy.lastChangeAt = iso(now);
    if (!stored.forced) deploy.scheduledFor = iso(now + this.debounceMs);
    this.move(deploy, from, 'pending');
    return Promise.resolve(from === null || from === 'held' ? this.job(stored) : null);
  }

  requestNow(reason: Exclude<DeployReason, 'changes'>, now: number): Promise<Requested> {
    const { stored, from } = this.ensureNext(now, reason);
    if (reason === 'manual' || stored.deploy.reason !== 'manual') stored.deploy.reason = reason;
    this.force(stored, now, from);
    const promote = from === 'pending' && stored.jobs > 0;
    const wakeup = promote ? { ...this.wakeupOf(stored), promote: true } : this.job(stored);
    return Promise.resolve({ deployId: stored.deploy.id, wakeup });
  }

  reconcile(changes: ContentChange[], now: number): Promise<Requested | null> {
    const pending = this.nextId === null ? null : this.deploys.get(this.nextId)!;
    if (pending !== null && pending.deploy.status !== 'held') return Promise.resolve(null);
    const { stored, from } = this.ensureNext(now, 'reconcile');
    changes.forEach((change) => this.setChange(stored.deploy, change));
    Object.assign(stored.deploy, {
      reason: 'reconcile',
      editCount: stored.deploy.editCount + changes.length,
      lastChangeAt: iso(now),
    });
    stored.deploy.firstChangeAt ??= iso(now);
    this.force(stored, now, from);
    return Promise.resolve({ deployId: stored.deploy.id, wakeup: this.job(stored) });
  }

  releaseHeld(now: number): Promise<Requested | null> {
    const stored = this.nextId === null ? null : this.deploys.get(this.nextId)!;
    if (stored === null || stored.deploy.status !== 'held') return Promise.resolve(null);
    this.force(stored, now, 'held');
    return Promise.resolve({ deployId: stored.deploy.id, wakeup: this.job(stored) });
  }

  claim(deployId: string, jobId: string, now: number): Promise<Claim> {
    if (this.inflight !== null) {
      if (this.inflight.jobId !== jobId) return Promise.resolve({ kind: 'busy', deployId: this.inflight.deployId });
      const { deploy } = this.deploys.get(this.inflight.deployId)!;
      this.move(deploy, deploy.status, 'dispatching');
      return Promise.resolve({ kind: 'resumed', deployId: deploy.id });
    }
    if (this.nextId !== deployId) return Promise.resolve({ kind: 'stale' });
    const { deploy } = this.deploys.get(deployId)!;
    if (deploy.status === 'held') return Promise.resolve({ kind: 'held' });
    const due = Date.parse(deploy.scheduledFor!);
    if (due > now) return Promise.resolve({ kind: 'wait', scheduledFor: due });
    this.inflight = { deployId, jobId };
    this.nextId = null;
    this.move(deploy, deploy.status, 'dispatching');
    return Promise.resolve({ kind: 'claimed', deployId });
  }

  settleChanges(deployId: string, missing: ContentChange[], dispatched: Record<string, string>): Promise<Settled> {
    const { deploy } = this.deploys.get(deployId)!;
    const listed = (change: ContentChange): boolean =>
      deploy.changes.some((c) => changeField(c) === changeField(change));
    const added = missing.filter((change) => !listed(change));
    added.forEach((change) => this.setChange(deploy, change));
    const dropped = Object.keys(dispatched).filter(
      (field) => this.etags.get(`${deployId} ${field}`) === dispatched[field],
    );
    dropped.forEach((field) => this.etags.delete(`${deployId} ${field}`));
    deploy.changes = deploy.changes.filter((c) => !dropped.includes(changeField(c)));
    deploy.changeCount = deploy.changes.length;
    return Promise.resolve({ added: added.length, dropped });
  }

  markRetrying(deployId: string, attempts: number, lastError: string, retryAt: number): Promise<void> {
    const { deploy } = this.deploys.get(deployId)!;
    if (deploy.status !== 'dispatching') return Promise.resolve();
    Object.assign(deploy, { attempts, lastError, scheduledFor: iso(retryAt) });
    this.move(deploy, 'dispatching', 'retrying');
    return Promise.resolve();
  }

  finish(deployId: string, final: FinalState, now: number): Promise<Wakeup | null> {
    if (this.inflight?.deployId === deployId) this.inflight = null;
    const { deploy } = this.deploys.get(deployId)!;
    Object.assign(deploy, { attempts: final.attempts, lastError: final.lastError ?? deploy.lastError });
    if (final.dispatchedAt !== undefined) deploy.dispatchedAt = iso(final.dispatchedAt);
    if (final.run)
      deploy.run = { ...final.run, status: 'queued', conclusion: null, startedAt: null, completedAt: null };
    this.move(deploy, deploy.status, final.status);
    if (final.carry && deploy.changes.length > 0) {
      const { stored, from } = this.ensureNext(now, 'changes');
      if (from === null) {
        Object.assign(stored.deploy, { lastError: HELD_NOTE, scheduledFor: null });
        this.move(stored.deploy, 'pending', 'held');
      }
      for (const change of deploy.changes)
        if (!stored.deploy.changes.some((c) => changeField(c) === changeField(change)))
          this.setChange(stored.deploy, { ...change, etag: this.etags.get(`${deploy.id} ${changeField(change)}`) });
      stored.deploy.editCount += deploy.editCount;
      stored.deploy.firstChangeAt ??= deploy.firstChangeAt;
      stored.deploy.lastChangeAt ??= deploy.lastChangeAt;
    }
    const next = this.nextId === null ? null : this.deploys.get(this.nextId)!;
    if (next === null || next.deploy.status === 'held') return Promise.resolve(null);
    next.jobs++;
    return Promise.resolve(this.wakeupOf(next));
  }

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

  private ensureNext(now: number, reason: DeployReason): { stored: Stored; from: DeployStatus | null } {
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

  private blank(id: string, reason: DeployReason, now: number): Deploy {
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

  private force(stored: Stored, now: number, from: DeployStatus | null): void {
    stored.forced = true;
    Object.assign(stored.deploy, { scheduledFor: iso(now), lastError: null });
    this.move(stored.deploy, from, 'pending');
  }

  private job(stored: Stored): Wakeup | null {
    if (this.inflight !== null) return null;
    stored.jobs++;
    return this.wakeupOf(stored);
  }

  private wakeupOf({ deploy, jobs }: Stored): Wakeup {
    return { deployId: deploy.id, scheduledFor: Date.parse(deploy.scheduledFor!), jobNumber: jobs };
  }

  private setChange(deploy: Deploy, { etag, ...shown }: ContentChange): void {
    const key = `${deploy.id} ${changeField(shown)}`;
    if (etag === undefined) this.etags.delete(key);
    else this.etags.set(key, etag);
    deploy.changes = [shown, ...deploy.changes.filter((c) => changeField(c) !== changeField(shown))].sort(newestFirst);
    deploy.changeCount = deploy.changes.length;
  }

  private move(deploy: Deploy, from: DeployStatus | null, to: DeployStatus): void {
    deploy.status = to;
    if (from !== to && from !== null) this.transitions.push({ id: deploy.id, from, to });
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
