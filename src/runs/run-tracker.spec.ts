import { loadConfig } from '../config/load-config';
import type { ActionsRun, Conditional, GithubRuns } from '../github/github-runs';
import type { CachedAnswer, RunPollCache } from './run-poll-cache';
import { RunTracker } from './run-tracker';
import type { Deploy, DeployRun } from '../deploy/deploy.types';
import { InMemoryDeployState } from '../deploy/testing/in-memory-deploy-state';

/** The in-memory state owner, with dispatched deploys seeded as a test's starting point. */
class Deploys extends InMemoryDeployState {
  dispatch(
    id: string,
    dispatchedAt: number,
    run: DeployRun | null = null,
    status: 'dispatched' | 'building' = 'dispatched',
  ): void {
    this.seed({ id, status, dispatchedAt: new Date(dispatchedAt).toISOString(), run });
  }
  async followed(id: string): Promise<boolean> {
    return (await this.trackedRuns()).deploys.some((d) => d.id === id);
  }
  async at(id: string): Promise<Deploy> {
    return (await this.get(id))!;
  }
}

/** GitHub's runs listing with ETags: the same body answers 304 to its own ETag. */
class FakeRuns {
  runs: ActionsRun[] = [];
  requests: string[] = [];
  readonly available = true;
  private tag = (): string =>
    `"${JSON.stringify(this.runs).length}-${this.runs.map((r) => r.status + r.conclusion).join()}"`;
  listRuns(query: { etag?: string }): Promise<Conditional<ActionsRun[]>> {
    const unchanged = query.etag === this.tag();
    this.requests.push(unchanged ? 'list (304)' : 'list');
    if (unchanged) return Promise.resolve({ changed: false });
    return Promise.resolve({ changed: true, value: structuredClone(this.runs), etag: this.tag() });
  }
  getRun(id: number): Promise<Conditional<ActionsRun | null>> {
    this.requests.push(`get ${id}`);
    return Promise.resolve({ changed: true, value: this.runs.find((r) => r.id === id) ?? null, etag: null });
  }
}

class MemoryCache {
  private answers = new Map<string, CachedAnswer<unknown>>();
  listing(query: string) {
    const answer = this.answers.get('listing');
    return Promise.resolve(answer?.query === query ? answer : null);
  }
  saveListing(answer: CachedAnswer<unknown>) {
    this.answers.set('listing', answer);
    return Promise.resolve();
  }
  run() {
    return Promise.resolve(null);
  }
  saveRun() {
    return Promise.resolve();
  }
}

const T0 = Date.parse('2026-12-01T10:00:00Z');
function actionsRun(id: number, deployId: string, over: Partial<ActionsRun> = {}): ActionsRun {
  return {
    id,
    url: `https://github.com/acme/blog/actions/runs/${id}`,
    title: `deploy ${deployId}`,
    workflowId: 1,
    status: 'queued',
    conclusion: null,
    createdAt: new Date(T0).toISOString(),
    startedAt: null,
    updatedAt: new Date(T0).toISOString(),
    ...over,
  };
}

describe('RunTracker', () => {
  let store: Deploys;
  let github: FakeRuns;
  let tracker: RunTracker;

  beforeEach(() => {
    store = new Deploys();
    github = new FakeRuns();
    const config = loadConfig({ S3_BUCKET: 'blog', GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'acme/blog' });
    tracker = new RunTracker(
      store,
      github as unknown as GithubRuns,
      new MemoryCache() as unknown as RunPollCache,
      config,
    );
  });

  it('finds the run by its title, follows it to live, and asks conditionally once nothing changes', async () => {
    store.dispatch('d1', T0);
    expect(await tracker.poll(T0 + 1_000)).toBe(5_000);
    expect((await store.at('d1')).status).toBe('dispatched');
    github.runs = [actionsRun(11, 'd1', { status: 'in_progress', startedAt: 'S' })];
    await tracker.poll(T0 + 6_000);
    expect(await store.at('d1')).toMatchObject({
      status: 'building',
      run: { id: 11, status: 'in_progress', startedAt: 'S', completedAt: null },
    });
    await tracker.poll(T0 + 11_000);
    github.runs[0] = { ...github.runs[0], status: 'completed', conclusion: 'success', updatedAt: 'E' };
    await tracker.poll(T0 + 16_000);
    expect(await store.at('d1')).toMatchObject({ status: 'live', run: { conclusion: 'success', completedAt: 'E' } });
    expect(await store.followed('d1')).toBe(false);
    expect(github.requests).toEqual(['list', 'list', 'list (304)', 'list']);
    expect(await tracker.poll(T0 + 20_000)).toBeNull();
  });

  it('a failing run ends build-failed with a lastError pointing at its log', async () => {
    store.dispatch('d1', T0);
    github.runs = [actionsRun(11, 'd1', { status: 'completed', conclusion: 'failure' })];
    await tracker.poll(T0 + 1_000);
    expect(await store.at('d1')).toMatchObject({
      status: 'build-failed',
      lastError: expect.stringContaining('https://github.com/acme/blog/actions/runs/11'),
    });
  });

  it('a run cancelled for a newer deploy is superseded; the newer one decides', async () => {
    store.dispatch('d1', T0);
    store.dispatch('d2', T0 + 2_000);
    github.runs = [
      actionsRun(12, 'd2', { status: 'in_progress' }),
      actionsRun(11, 'd1', { status: 'completed', conclusion: 'cancelled' }),
    ];
    await tracker.poll(T0 + 3_000);
    expect((await store.at('d1')).status).toBe('superseded');
    expect((await store.at('d2')).status).toBe('building');
  });

  it('stops looking after 10 minutes without a run, saying how to name it', async () => {
    store.dispatch('d1', T0);
    await tracker.poll(T0 + 10 * 60_000);
    expect(await store.at('d1')).toMatchObject({
      status: 'dispatched',
      lastError: expect.stringMatching(/run-name: deploy/),
    });
    expect(await store.followed('d1')).toBe(false);
    expect(github.requests).toEqual([]);
  });

  it('stops following a run that outlives DEPLOY_RUN_TIMEOUT_MS, keeping its status', async () => {
    store.dispatch(
      'd1',
      T0,
      { id: 11, url: 'https://run/11', status: 'in_progress', conclusion: null, startedAt: null, completedAt: null },
      'building',
    );
    await tracker.poll(T0 + 3_600_000);
    expect(await store.at('d1')).toMatchObject({
      status: 'building',
      lastError: expect.stringMatching(/DEPLOY_RUN_TIMEOUT_MS.*https:\/\/run\/11/),
    });
    expect(await store.followed('d1')).toBe(false);
  });

  it('asks for a known run by id when the listing does not hold it', async () => {
    store.dispatch('d1', T0, {
      id: 99,
      url: 'u',
      status: 'queued',
      conclusion: null,
      startedAt: null,
      completedAt: null,
    });
    await tracker.poll(T0 + 1_000);
    expect(github.requests).toEqual(['list', 'get 99']);
  });

  it('webhook deliveries: unknown runs are ignored, replays change nothing, late events never move backwards', async () => {
    store.dispatch('d1', T0);
    expect(await tracker.onWorkflowRun(actionsRun(50, 'someone-else'))).toBe('unknown-run');
    const done = actionsRun(11, 'd1', { status: 'completed', conclusion: 'success' });
    expect(await tracker.onWorkflowRun(done)).toBe('updated');
    expect(await tracker.onWorkflowRun(done)).toBe('unknown-run');
    expect(await tracker.onWorkflowRun(actionsRun(11, 'd1', { status: 'in_progress' }))).toBe('unknown-run');
    expect((await store.at('d1')).status).toBe('live');
  });
});
