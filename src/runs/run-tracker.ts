import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DeployState, TrackedDeploy, TrackedRuns } from '../deploy/deploy-state';
import type { DeployRun } from '../deploy/deploy.types';
import { ActionsRun, GithubRuns } from '../github/github-runs';
import { RunPollCache } from './run-poll-cache';
import {
  buildFailedMessage,
  findRun,
  listingSince,
  pollIntervalMs,
  runNotFoundMessage,
  runSearchLimitMs,
  runTimedOutMessage,
  statusForRun,
} from './run-rules';

export function toDeployRun(run: ActionsRun): DeployRun {
  return {
    id: run.id,
    url: run.url,
    status: run.status,
    conclusion: run.conclusion,
    startedAt: run.startedAt,
    completedAt: run.status === 'completed' ? run.updatedAt : null,
  };
}

function sameRun(a: DeployRun | null, b: DeployRun): boolean {
  return (
    a !== null && a.id === b.id && a.status === b.status && a.conclusion === b.conclusion && a.startedAt === b.startedAt
  );
}

/** What a webhook delivery did. */
export type Observation = 'updated' | 'unchanged' | 'unknown-run';

/**
 * Follows the Actions run of each dispatched deploy, from polling passes (RunPoller) and webhook deliveries
 * alike. Both only ever report what GitHub said; the deploy state owner refuses moves backwards, so the two can race and
 * replay freely. One listing request covers every followed deploy; it is conditional, and a 304 reuses the
 * cached answer (GitHub does not count 304s against the rate limit).
 */
@Injectable()
export class RunTracker {
  constructor(
    private readonly deploys: DeployState,
    private readonly github: GithubRuns,
    private readonly cache: RunPollCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One polling pass over every followed deploy. Returns the ms until the next pass is due, or null when none is followed. */
  async poll(now = Date.now()): Promise<number | null> {
    const tracked = await this.deploys.trackedRuns();
    const active = await this.expire(tracked.deploys, now);
    if (active.length === 0) return null;
    const runs = await this.listRuns(active);
    for (const deploy of active) {
      const run = findRun(runs, deploy) ?? (deploy.run ? await this.getRun(deploy.run.id) : undefined);
      if (run) await this.observe(deploy, run, tracked);
    }
    const { timeoutMs, webhookSecret } = this.config.runs;
    return Math.min(
      ...active.map((deploy) => pollIntervalMs(now - deploy.dispatchedAt, timeoutMs, webhookSecret !== undefined)),
    );
  }

  /** A verified workflow_run delivery: updates the deploy the run belongs to, if any is followed. */
  async onWorkflowRun(run: ActionsRun): Promise<Observation> {
    const tracked = await this.deploys.trackedRuns();
    const deploy = tracked.deploys.find((candidate) => findRun([run], candidate) !== undefined);
    if (!deploy) return 'unknown-run';
    return (await this.observe(deploy, run, tracked)) ? 'updated' : 'unchanged';
  }

  private async observe(deploy: TrackedDeploy, run: ActionsRun, tracked: TrackedRuns): Promise<boolean> {
    const newer =
      tracked.dispatchInFlight || (tracked.newestDispatchAt !== null && tracked.newestDispatchAt > deploy.dispatchedAt);
    const to = statusForRun(run, newer);
    const record = toDeployRun(run);
    if (to === deploy.status && sameRun(deploy.run, record)) return false;
    return this.deploys.runObserved(deploy.id, record, to, to === 'build-failed' ? buildFailedMessage(run) : null);
  }

  /** Stops following deploys whose run never appeared, or that ran out of time; returns the rest. */
  private async expire(tracked: TrackedDeploy[], now: number): Promise<TrackedDeploy[]> {
    const { timeoutMs } = this.config.runs;
    const active: TrackedDeploy[] = [];
    for (const deploy of tracked) {
      const age = now - deploy.dispatchedAt;
      const searchMs = runSearchLimitMs(timeoutMs);
      if (!deploy.run && age >= searchMs)
        await this.deploys.stopTracking(deploy.id, runNotFoundMessage(deploy.id, searchMs, this.dispatchEvent()));
      else if (age >= timeoutMs) await this.deploys.stopTracking(deploy.id, runTimedOutMessage(deploy.run, timeoutMs));
      else active.push(deploy);
    }
    return active;
  }

  private async listRuns(active: TrackedDeploy[]): Promise<ActionsRun[]> {
    const event = this.dispatchEvent();
    const createdSince = listingSince(Math.min(...active.map((deploy) => deploy.dispatchedAt)));
    const query = `${event} ${createdSince}`;
    const cached = await this.cache.listing(query);
    const answer = await this.github.listRuns({ event, createdSince, etag: cached?.etag });
    if (!answer.changed) return cached!.value;
    if (answer.etag) await this.cache.saveListing({ query, etag: answer.etag, value: answer.value });
    return answer.value;
  }

  /** A known run missing from the listing (more runs than one page holds): asked for by id, conditionally too. */
  private async getRun(runId: number): Promise<ActionsRun | undefined> {
    const cached = await this.cache.run(runId);
    const answer = await this.github.getRun(runId, cached?.etag);
    if (!answer.changed) return cached!.value ?? undefined;
    if (answer.etag) await this.cache.saveRun(runId, { query: String(runId), etag: answer.etag, value: answer.value });
    return answer.value ?? undefined;
  }

  /** The event whose runs a dispatch starts (DEPLOY_TRIGGER). */
  private dispatchEvent(): string {
    return this.config.deploy.trigger.kind;
  }
}
