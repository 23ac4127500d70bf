import { createHash } from 'node:crypto';
import { WebhookDeliveries } from './fake-github-deliveries';
import type { FakeEndpoint, FakeGithub, FakeResponse, RecordedRequest } from './fake-github';

/**
 * How the run a dispatch starts behaves: it waits `queuedMs`, runs `runMs`, then ends with `conclusion`.
 * `manual` runs move only when the test calls start()/complete(); `none` starts no run at all (a workflow
 * without the run-name line is `unnamed`: its run exists but its title does not name the deploy).
 */
export type RunPlan = { conclusion: string; queuedMs?: number; runMs?: number } | 'manual' | 'none' | 'unnamed';

export interface FakeRun {
  id: number;
  deployId: string;
  title: string;
  event: string;
  status: 'queued' | 'pending' | 'in_progress' | 'completed';
  conclusion: string | null;
  createdAt: string;
  startedAt: string | null;
  updatedAt: string;
  plan: RunPlan;
}

const WORKFLOW_ID = 4242;
const WORKFLOW_NAME = 'Deploy blog';

const iso = (ms = Date.now()): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * GitHub Actions behind the fake GitHub: every accepted repository_dispatch starts a run named as the README's
 * workflow names it (`deploy <deployId>`), in one concurrency group like the README's (`cancel-in-progress:
 * false`: one run at a time, and a newer waiting run cancels an older waiting one). It serves the runs listing
 * (with ETags, answering 304 to a matching If-None-Match) and single runs, and, when `webhooks.target` is set,
 * delivers signed `workflow_run` events to the service as GitHub would.
 */
export class FakeActions {
  readonly runs: FakeRun[] = [];
  readonly webhooks = new WebhookDeliveries();
  /** Plans for the next runs, in order; then `defaultPlan`. */
  readonly plans: RunPlan[] = [];
  defaultPlan: RunPlan = { conclusion: 'success', queuedMs: 50, runMs: 200 };
  /** `cancel-in-progress: true`: a newer run cancels the running one too. */
  cancelInProgress = false;
  /** Answer run requests this much later (a slow GitHub: the service's requests time out first). */
  delayMs = 0;
  private nextId = 9001;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly github: FakeGithub) {}

  /** Adds the runs endpoints (routes `runs` and `run`) to `github`, and a run to each dispatch it accepts. */
  static attach(github: FakeGithub): FakeActions {
    const actions = new FakeActions(github);
    github.serve(() => actions.endpoints());
    github.onAnswered((request) => {
      if (request.status === undefined || request.status >= 300) return;
      if (request.route === 'dispatch') actions.dispatched(request);
      // workflow_dispatch: the run has the id the workflows fake reported; its title is the workflow's name.
      if (request.route === 'workflow-dispatch') actions.dispatched(request, github.workflows.started.at(-1)!.id);
    });
    return actions;
  }

  plan(...plans: RunPlan[]): this {
    this.plans.push(...plans);
    return this;
  }

  runOf(deployId: string): FakeRun | undefined {
    return this.runs.find((run) => run.deployId === deployId);
  }

  /** Requests the service made about runs (listing and single runs). */
  runRequests(): RecordedRequest[] {
    return this.github.requests.filter((request) => request.route === 'runs' || request.route === 'run');
  }

  start(runId: number): void {
    const run = this.byId(runId);
    if (run.status === 'completed' || run.status === 'in_progress') return;
    if (this.runs.some((other) => other.status === 'in_progress')) {
      this.update(run, { status: 'pending' });
      return;
    }
    this.update(run, { status: 'in_progress', startedAt: iso() }, 'in_progress');
    const { plan } = run;
    if (typeof plan === 'object') this.later(plan.runMs ?? 200, () => this.complete(run.id, plan.conclusion));
  }

  complete(runId: number, conclusion: string): void {
    const run = this.byId(runId);
    if (run.status === 'completed') return;
    this.update(run, { status: 'completed', conclusion }, 'completed');
    // The next waiting run of the group starts.
    const waiting = this.runs.find((other) => other.status === 'pending');
    if (waiting) this.later(0, () => this.start(waiting.id));
  }

  /** The workflow_run payload GitHub sends for `run`. */
  payload(run: FakeRun, action: string): string {
    return JSON.stringify({
      action,
      workflow_run: this.raw(run),
      workflow: { id: WORKFLOW_ID, name: WORKFLOW_NAME },
      repository: { full_name: 'acme/blog' },
    });
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private dispatched(request: RecordedRequest, workflowRunId?: number): void {
    const body = request.body as
      { client_payload?: { deployId?: string }; inputs?: { deploy_id?: string } } | undefined;
    const deployId = body?.client_payload?.deployId ?? body?.inputs?.deploy_id ?? 'unknown';
    const plan = this.plans.shift() ?? this.defaultPlan;
    if (plan === 'none') return;
    const run: FakeRun = {
      id: workflowRunId ?? this.nextId++,
      deployId,
      title: plan === 'unnamed' || workflowRunId !== undefined ? WORKFLOW_NAME : `deploy ${deployId}`,
      event: workflowRunId === undefined ? 'repository_dispatch' : 'workflow_dispatch',
      status: 'queued',
      conclusion: null,
      createdAt: iso(),
      startedAt: null,
      updatedAt: iso(),
      plan,
    };
    // The concurrency group: the new run replaces any run still waiting (and the running one with cancel-in-progress).
    for (const other of this.runs) {
      if (
        other.status === 'queued' ||
        other.status === 'pending' ||
        (this.cancelInProgress && other.status === 'in_progress')
      )
        this.complete(other.id, 'cancelled');
    }
    this.runs.push(run);
    this.notify(run, 'requested');
    if (typeof plan === 'object') this.later(plan.queuedMs ?? 50, () => this.start(run.id));
  }

  private endpoints(): FakeEndpoint[] {
    return [
      {
        route: 'runs',
        method: 'GET',
        path: /^\/repos\/[^/]+\/[^/]+\/actions\/runs$/,
        answer: (request, scripted) => scripted ?? this.listing(request),
      },
      {
        route: 'run',
        method: 'GET',
        path: /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+$/,
        answer: (request, scripted) => {
          const run = this.runs.find((candidate) => request.path.split('?')[0].endsWith(`/runs/${candidate.id}`));
          return (
            scripted ??
            (run ? this.conditional(request, this.raw(run)) : { status: 404, body: { message: 'Not Found' } })
          );
        },
      },
    ];
  }

  /** GET /repos/:owner/:repo/actions/runs: filtered by `event` and `created=>=…`, newest first, `per_page` of them. */
  private listing(request: RecordedRequest): FakeResponse {
    const url = new URL(request.path, 'http://fake');
    const event = url.searchParams.get('event');
    const since = url.searchParams.get('created')?.replace(/^>=/, '');
    const listed = this.runs
      .filter((run) => (event === null || run.event === event) && (since === undefined || run.createdAt >= since))
      .sort((a, b) => b.id - a.id)
      .slice(0, Number(url.searchParams.get('per_page') ?? 30));
    return this.conditional(request, { total_count: listed.length, workflow_runs: listed.map((run) => this.raw(run)) });
  }

  /** GitHub's ETag behaviour: the same body has the same tag, and a matching If-None-Match gets 304. */
  private conditional(request: RecordedRequest, body: unknown): FakeResponse {
    const etag = `W/"${createHash('sha1').update(JSON.stringify(body)).digest('hex')}"`;
    if (request.headers['if-none-match'] === etag) return { status: 304, headers: { etag }, delayMs: this.delayMs };
    return { status: 200, headers: { etag }, body, delayMs: this.delayMs };
  }

  private raw(run: FakeRun): Record<string, unknown> {
    return {
      id: run.id,
      name: WORKFLOW_NAME,
      display_title: run.title,
      html_url: `https://github.com/acme/blog/actions/runs/${run.id}`,
      workflow_id: WORKFLOW_ID,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      created_at: run.createdAt,
      run_started_at: run.startedAt,
      updated_at: run.updatedAt,
      run_attempt: 1,
    };
  }

  private update(run: FakeRun, change: Partial<FakeRun>, action?: string): void {
    Object.assign(run, change, { updatedAt: iso() });
    if (action) this.notify(run, action);
  }

  private notify(run: FakeRun, action: string): void {
    this.webhooks.send(action, run.id, this.payload(run, action));
  }

  private byId(runId: number): FakeRun {
    const run = this.runs.find((candidate) => candidate.id === runId);
    if (!run) throw new Error(`no run ${runId}`);
    return run;
  }

  private later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, ms);
    this.timers.add(timer);
  }
}
