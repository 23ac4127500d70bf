import type { ActionsRun } from '../github/github-runs';
import type { RunStatus, TrackedDeploy } from '../deploy/deploy-state';

/** GitHub cancels a waiting or running run when a newer run enters the workflow's concurrency group. */
const CANCELLED = 'cancelled';

/** How long a dispatch may go without a run we can find before we say how to name it (shorter if the timeout is). */
export const RUN_SEARCH_MS = 10 * 60_000;

export function runSearchLimitMs(timeoutMs: number): number {
  return Math.min(RUN_SEARCH_MS, timeoutMs);
}

/**
 * Where a run takes its deploy. A run that exists but has not finished (queued, waiting behind another in
 * the concurrency group, or running) is `building`. A cancelled run whose deploy has a newer dispatch after
 * it was replaced by that newer run: `superseded`, and the newer deploy decides what is live.
 */
export function statusForRun(run: Pick<ActionsRun, 'status' | 'conclusion'>, newerDispatchExists: boolean): RunStatus {
  if (run.status !== 'completed') return 'building';
  if (run.conclusion === 'success') return 'live';
  if (run.conclusion === CANCELLED && newerDispatchExists) return 'superseded';
  return 'build-failed';
}

/**
 * The run a deploy started: by id when the dispatch returned it (workflow_dispatch), else the oldest run
 * whose display title (the workflow's `run-name: deploy <deployId>`) contains the deploy id.
 */
export function findRun(
  runs: readonly ActionsRun[],
  deploy: Pick<TrackedDeploy, 'id' | 'run'>,
): ActionsRun | undefined {
  if (deploy.run) return runs.find((run) => run.id === deploy.run!.id);
  const named = runs.filter((run) => run.title.includes(deploy.id));
  return named.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)[0];
}

/**
 * How often to ask GitHub about runs: often while a run is young (most builds take minutes), then less as it
 * ages. Scaled to DEPLOY_RUN_TIMEOUT_MS: with the default hour, every 5 s at first and at most once a minute.
 * With webhooks, which report every change at once, polling is only a safety net at the slowest pace.
 */
export function pollIntervalMs(ageMs: number, timeoutMs: number, webhooks = false): number {
  const first = Math.min(5_000, Math.max(250, Math.round(timeoutMs / 720)));
  const slowest = Math.min(60_000, Math.max(first, Math.round(timeoutMs / 60)));
  return webhooks ? slowest : Math.min(slowest, Math.max(first, Math.round(ageMs / 10)));
}

/** The earliest time a listing must cover: a minute before the oldest dispatch (clock skew), whole minutes so the URL (and its ETag) stays stable. */
export function listingSince(oldestDispatchMs: number): string {
  const minute = Math.floor((oldestDispatchMs - 60_000) / 60_000) * 60_000;
  return new Date(minute).toISOString().replace('.000Z', 'Z');
}

/** "10 minutes", "45 seconds". */
function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} minute(s)` : `${Math.round(ms / 1_000)} second(s)`;
}

/** The workflow line that names each run after its deploy, for each way of starting it. */
export const RUN_NAME_LINES: Record<string, string> = {
  repository_dispatch: 'run-name: deploy ${{ github.event.client_payload.deployId }}',
  workflow_dispatch: 'run-name: deploy ${{ inputs.deploy_id }}',
};

export function runNotFoundMessage(deployId: string, searchedMs: number, trigger: string): string {
  return (
    `No GitHub Actions run for deploy ${deployId} was found within ${duration(searchedMs)} of its dispatch, so its build is not followed. ` +
    `Name the run after the deploy in the workflow: add \`${RUN_NAME_LINES[trigger] ?? RUN_NAME_LINES.repository_dispatch}\` at its top level ` +
    `(the service looks for the deploy id in the run's title among ${trigger} runs). The dispatch itself was accepted.`
  );
}

export function runTimedOutMessage(
  run: ActionsRun | { url: string; status: string } | null,
  timeoutMs: number,
): string {
  const where = run ? ` Its last known status was "${run.status}": see ${run.url}.` : '';
  return `The GitHub Actions run was followed for ${duration(timeoutMs)} (DEPLOY_RUN_TIMEOUT_MS) without finishing, so it is no longer followed.${where}`;
}

export function buildFailedMessage(run: Pick<ActionsRun, 'id' | 'url' | 'conclusion'>): string {
  return `The site build failed: GitHub Actions run ${run.id} ended with conclusion "${run.conclusion ?? 'unknown'}". Its log is at ${run.url}. The next change or a manual deploy (POST /deploys) builds the site again.`;
}
