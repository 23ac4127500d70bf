import { Logger } from '@nestjs/common';
import { Octokit } from '@octokit/rest';
import { githubMessage, httpFailure } from './github-failure';
import { DispatchResult } from './github.types';
import { WorkflowInputs, workflowDispatchBody } from './payload';

export interface WorkflowTarget {
  owner: string;
  repo: string;
  /** DEPLOY_WORKFLOW: file name or numeric id. */
  workflow: string;
  /** DEPLOY_REF; unset = the repository's default branch. */
  ref?: string;
}

/** An older GitHub Enterprise Server validates the body strictly and names the key it does not know. */
export function rejectsRunDetails(error: unknown): boolean {
  const failure = httpFailure(error);
  return (
    failure !== undefined &&
    (failure.status === 422 || failure.status === 400) &&
    githubMessage(failure.data).includes('return_run_details')
  );
}

/**
 * Sends workflow_dispatch events. It asks GitHub for the run it starts (`return_run_details`); a server that
 * refuses that parameter is asked again without it, and never again with it for the life of the process
 * (the run is then found by listing, like a repository_dispatch's).
 */
export class WorkflowDispatcher {
  private runDetails = true;
  private defaultBranch?: string;

  constructor(
    private readonly octokit: Octokit,
    private readonly target: WorkflowTarget,
    private readonly logger: Logger,
  ) {}

  /** The ref dispatches run on, once known: DEPLOY_REF, or the default branch after it was read. */
  get knownRef(): string | undefined {
    return this.target.ref ?? this.defaultBranch;
  }

  /** The access check reads the repository anyway: its default branch saves a request here. */
  rememberDefaultBranch(branch: string | undefined): void {
    this.defaultBranch ??= branch;
  }

  /** Throws Octokit's errors unclassified; the client classifies them. */
  async send(inputs: WorkflowInputs): Promise<DispatchResult> {
    const ref = await this.ref();
    if (!this.runDetails) return this.post(ref, inputs, false);
    try {
      return await this.post(ref, inputs, true);
    } catch (error) {
      if (!rejectsRunDetails(error)) throw error;
      this.runDetails = false;
      this.logger.log(
        'GitHub does not accept return_run_details here (an older GitHub Enterprise Server): workflow dispatches are sent without it from now on, and their runs are found by listing.',
      );
      return this.post(ref, inputs, false);
    }
  }

  private async ref(): Promise<string> {
    if (this.knownRef !== undefined) return this.knownRef;
    const { owner, repo } = this.target;
    const { data } = await this.octokit.rest.repos.get({ owner, repo });
    this.rememberDefaultBranch(data.default_branch);
    return data.default_branch;
  }

  private async post(ref: string, inputs: WorkflowInputs, runDetails: boolean): Promise<DispatchResult> {
    const { owner, repo, workflow } = this.target;
    const { data } = await this.octokit.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: workflow,
      ...workflowDispatchBody(ref, inputs, runDetails),
    });
    // 200 with the run's id and URLs when run details were asked for; 204 and no body otherwise.
    const run = data as { workflow_run_id?: unknown; html_url?: unknown } | undefined;
    if (typeof run?.workflow_run_id === 'number' && typeof run.html_url === 'string') {
      return { kind: 'dispatched', run: { id: run.workflow_run_id, url: run.html_url } };
    }
    return { kind: 'dispatched' };
  }
}
