import type { ContentChange } from '../../content/content-change';
import { Claim, FinalState, HELD_NOTE, Requested, Settled, Wakeup } from '../deploy-state';
import { changeField } from '../deploy-record';
import type { Deploy, DeployReason, DeployStatus } from '../deploy.types';
import { InMemoryDeployBook, iso } from './in-memory-deploy-book';

/**
 * DeployState in memory, for fast unit tests of the code that asks it (processor, watchdog, reconciler).
 * It follows the same transitions as the Lua scripts, in their simplest form: reported actions are the
 * latest ones and the schedule is the quiet window alone (the real rules are proven on Redis in
 * test/deploy-state.e2e-spec.ts). `transitions` records every move, for assertions.
 */
export class InMemoryDeployState extends InMemoryDeployBook {
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
}
