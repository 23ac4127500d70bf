import type { EndpointGroup, FakeResponse } from './fake-github-endpoints';

interface WorkflowDispatchBody {
  ref?: unknown;
  inputs?: unknown;
  return_run_details?: unknown;
}

/** The run a workflow_dispatch started, as the fake reported it. */
export interface StartedRun {
  id: number;
  workflow: string;
  ref: string;
  inputs: Record<string, unknown>;
}

/**
 * POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches of the fake GitHub. Like GitHub today it
 * answers 200 with the new run's id and URLs when asked (`return_run_details: true`), else 204; with
 * `olderServer` it refuses that parameter with a 422 naming it, as an older GitHub Enterprise Server does.
 */
export class FakeGithubWorkflows {
  /** Workflow file names and ids that exist and declare workflow_dispatch. */
  workflows = new Set(['deploy.yml']);
  /** The inputs the workflows declare (GitHub refuses others). */
  declaredInputs = new Set(['deploy_id', 'reason', 'change_count', 'changes']);
  branches = new Set(['main']);
  olderServer = false;
  readonly started: StartedRun[] = [];
  private nextRunId = 7_000_001;

  constructor(private readonly baseUrl: () => string) {}

  answer(repository: string, workflow: string, body: unknown): FakeResponse {
    const { ref, inputs = {}, return_run_details: runDetails } = (body ?? {}) as WorkflowDispatchBody;
    if (this.olderServer && runDetails !== undefined) {
      return {
        status: 422,
        body: {
          message: 'Invalid request.\n\n"return_run_details" is not a permitted key.',
          documentation_url: 'https://docs.github.com/enterprise-server@3.14/rest',
        },
      };
    }
    if (!this.workflows.has(workflow))
      return {
        status: 404,
        body: {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event',
        },
      };
    if (typeof ref !== 'string' || !this.branches.has(ref))
      return { status: 422, body: { message: `No ref found for: ${String(ref)}` } };
    const given = Object.keys(inputs as object);
    const unexpected = given.filter((name) => !this.declaredInputs.has(name));
    if (unexpected.length > 0)
      return { status: 422, body: { message: `Unexpected inputs provided: ${JSON.stringify(unexpected)}` } };
    const id = this.nextRunId++;
    this.started.push({ id, workflow, ref, inputs: inputs as Record<string, unknown> });
    if (runDetails !== true) return { status: 204 };
    return {
      status: 200,
      body: {
        workflow_run_id: id,
        run_url: `${this.baseUrl()}/repos/${repository}/actions/runs/${id}`,
        html_url: `https://github.com/${repository}/actions/runs/${id}`,
      },
    };
  }
}

/** `POST /repos/:owner/:repo/actions/workflows/:workflow/dispatches`, answered by `fake.workflows`. */
export const workflowEndpoints: EndpointGroup = (fake) => [
  {
    route: 'workflow-dispatch',
    method: 'POST',
    path: /^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/[^/]+\/dispatches$/,
    dispatch: true,
    answer: (request, scripted) => {
      const [, , owner, repo, , , workflow] = request.path.split('?')[0].split('/');
      return scripted ?? fake.workflows.answer(`${owner}/${repo}`, workflow, request.body);
    },
  },
];
