import { Logger } from '@nestjs/common';
import { dispatchFailure, githubClients, SAMPLE_DISPATCH } from './support/github-client-fixtures';
import { FakeGithubApp } from './support/fake-github-app';

const TOKEN = 'ghp_workflowDispatchToken0123456789abcd';
const REQUEST = SAMPLE_DISPATCH;
const INPUTS = { deploy_id: 'dep-1', reason: 'changes', change_count: '2', changes: JSON.stringify(REQUEST.changes) };

/** DEPLOY_TRIGGER=workflow_dispatch against the fake GitHub. */
describe('GithubClient with workflow_dispatch', () => {
  const env = {
    S3_BUCKET: 'wf-e2e',
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: 'acme/blog',
    DEPLOY_TRIGGER: 'workflow_dispatch',
    DEPLOY_WORKFLOW: 'deploy.yml',
  };
  const gh = githubClients((fake) => ({ ...env, GITHUB_API_URL: fake.url }), { timeoutMs: 2_000 });
  const client = gh.client.bind(gh);
  const routes = () => gh.fake.requests.map((r) => `${r.method} ${r.path} ${r.status ?? '-'}`);

  it('reads the default branch once, sends string inputs and returns the run GitHub started', async () => {
    const github = client();
    const first = await github.dispatch(REQUEST);
    const second = await github.dispatch({ ...REQUEST, deployId: 'dep-2' });
    const [run1, run2] = gh.fake.workflows.started;
    expect(first).toEqual({
      kind: 'dispatched',
      run: { id: run1.id, url: `https://github.com/acme/blog/actions/runs/${run1.id}` },
    });
    expect(second.run?.id).toBe(run2.id);
    expect(routes()).toEqual([
      'GET /repos/acme/blog 200',
      'POST /repos/acme/blog/actions/workflows/deploy.yml/dispatches 200',
      'POST /repos/acme/blog/actions/workflows/deploy.yml/dispatches 200',
    ]);
    const sent = gh.fake.dispatches()[0];
    expect(sent.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    });
    expect(sent.body).toEqual({ ref: 'main', inputs: INPUTS, return_run_details: true });
  });

  it('runs on DEPLOY_REF without reading the repository', async () => {
    gh.fake.workflows.branches.add('release');
    await client({ DEPLOY_REF: 'release' }).dispatch(REQUEST);
    expect(routes()).toEqual(['POST /repos/acme/blog/actions/workflows/deploy.yml/dispatches 200']);
    expect(gh.fake.workflows.started[0].ref).toBe('release');
  });

  it('asks an older GitHub Enterprise Server again without return_run_details, and remembers', async () => {
    gh.fake.workflows.olderServer = true;
    const github = client({ DEPLOY_REF: 'main' });
    await expect(github.dispatch(REQUEST)).resolves.toEqual({ kind: 'dispatched' });
    await expect(github.dispatch(REQUEST)).resolves.toEqual({ kind: 'dispatched' });
    expect(gh.fake.dispatches().map((d) => [d.status, 'return_run_details' in (d.body as object)])).toEqual([
      [422, true],
      [204, false],
      [204, false],
    ]);
    expect(gh.fake.workflows.started).toHaveLength(2);
  });

  it('works through a GitHub App with Actions write', async () => {
    const app = new FakeGithubApp();
    gh.fake.app = app;
    const result = await client({ GITHUB_TOKEN: undefined, ...app.env() }).dispatch(REQUEST);
    expect(result.run?.id).toBe(gh.fake.workflows.started[0].id);
    expect(gh.fake.dispatches()[0].headers.authorization).toBe(`Bearer ${app.latestToken()}`);
  });

  const refusals: { name: string; arrange: () => Record<string, string>; status: number; says: RegExp }[] = [
    {
      name: 'an unknown workflow',
      arrange: () => ({ DEPLOY_WORKFLOW: 'missing.yml' }),
      status: 404,
      says: /404 for the workflow missing\.yml in acme\/blog: there is no such workflow \(DEPLOY_WORKFLOW is the file name under \.github\/workflows/,
    },
    {
      name: 'a ref that does not exist',
      arrange: () => ({ DEPLOY_REF: 'nope' }),
      status: 422,
      says: /the ref does not exist \(422: No ref found for: nope\)\. Set DEPLOY_REF to an existing branch or tag/,
    },
    {
      name: 'a workflow without inputs the service sends',
      arrange: () => ((gh.fake.workflows.declaredInputs = new Set(['deploy_id'])), {}),
      status: 422,
      says: /deploy\.yml in acme\/blog does not declare every input.*Unexpected inputs provided.*"reason".*Declare deploy_id, reason, change_count and changes/,
    },
    {
      name: 'a workflow without a workflow_dispatch trigger',
      arrange: () => (
        gh.fake.respond('workflow-dispatch', {
          status: 422,
          body: { message: "Workflow does not have 'workflow_dispatch' trigger" },
        }),
        {}
      ),
      status: 422,
      says: /The workflow deploy\.yml on ref main of acme\/blog has no workflow_dispatch trigger.*Add "on: workflow_dispatch"/,
    },
  ];
  it.each(refusals)('fails at once on $name, saying what to change', async ({ arrange, status, says }) => {
    const error = await dispatchFailure(client(arrange()).dispatch(REQUEST));
    expect(error).toMatchObject({ retryable: false, status });
    expect(error.message).toMatch(says);
  });

  it('logs the workflow_dispatch as a curl command in dry run', async () => {
    const logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    await expect(client({ GITHUB_TOKEN: undefined }).dispatch(REQUEST)).resolves.toEqual({ kind: 'dry-run' });
    expect(gh.fake.requests).toEqual([]);
    const line = logged.mock.calls.map(([m]) => String(m)).find((m) => m.includes('curl'))!;
    expect(line).toContain(`'${gh.fake.url}/repos/acme/blog/actions/workflows/deploy.yml/dispatches'`);
    expect(line).toContain(
      JSON.stringify({ ref: 'main', inputs: INPUTS, return_run_details: true }).replace(/'/g, `'\\''`),
    );
  });
});
