import { Injectable } from '@nestjs/common';
import { classifyGithubError, GithubErrorContext } from './github-errors';
import { GITHUB_REQUEST_HEADERS } from './github-http';
import { GithubClient } from './github.client';
import { GithubDispatchError } from './github.types';

/** A GitHub Actions workflow run, as run tracking reads it. */
export interface ActionsRun {
  id: number;
  /** The run's page on GitHub (html_url). */
  url: string;
  /** display_title: the workflow's `run-name`, e.g. `deploy <deployId>`. */
  title: string;
  workflowId: number;
  /** queued | waiting | pending | requested | in_progress | completed */
  status: string;
  /** success | failure | cancelled | timed_out | … ; null until completed. */
  conclusion: string | null;
  createdAt: string;
  startedAt: string | null;
  updatedAt: string;
}

/** A conditional GET: `changed: false` when GitHub answered 304 to our If-None-Match (free of rate limit). */
export type Conditional<T> = { changed: false } | { changed: true; value: T; etag: string | null };

/** The parts of GitHub's workflow-run JSON we read (the REST listing and webhook payloads share them). */
export interface RawWorkflowRun {
  id: number;
  html_url: string;
  display_title?: string;
  name?: string | null;
  workflow_id: number;
  status: string | null;
  conclusion: string | null;
  created_at: string;
  run_started_at?: string | null;
  updated_at: string;
}

export function toActionsRun(raw: RawWorkflowRun): ActionsRun {
  return {
    id: raw.id,
    url: raw.html_url,
    title: raw.display_title ?? raw.name ?? '',
    workflowId: raw.workflow_id,
    status: raw.status ?? 'queued',
    conclusion: raw.conclusion ?? null,
    createdAt: raw.created_at,
    startedAt: raw.run_started_at ?? null,
    updatedAt: raw.updated_at,
  };
}

const PER_PAGE = 100;

function status(error: unknown): number | undefined {
  const value = (error as { status?: unknown } | null)?.status;
  return typeof value === 'number' ? value : undefined;
}

/**
 * Reads Actions runs through the GitHubClient's Octokit instance (same credentials, timeout and headers).
 * Every call is one request; conditional requests carry the previous ETag, so an unchanged answer is a 304.
 */
@Injectable()
export class GithubRuns {
  constructor(private readonly github: GithubClient) {}

  /** False in dry run: no token, nothing to follow. */
  get available(): boolean {
    return this.github.session !== undefined;
  }

  /** GET /repos/{owner}/{repo}/actions/runs?event=…&created=>=…, newest first, one page of 100. */
  async listRuns(query: { event: string; createdSince: string; etag?: string }): Promise<Conditional<ActionsRun[]>> {
    const { octokit, owner, repo, errorContext } = this.session();
    try {
      const response = await octokit.rest.actions.listWorkflowRunsForRepo({
        owner,
        repo,
        event: query.event,
        created: `>=${query.createdSince}`,
        per_page: PER_PAGE,
        headers: { ...GITHUB_REQUEST_HEADERS, ...(query.etag ? { 'if-none-match': query.etag } : {}) },
      });
      const runs = (response.data.workflow_runs as RawWorkflowRun[]).map(toActionsRun);
      return { changed: true, value: runs, etag: response.headers.etag ?? null };
    } catch (error) {
      if (status(error) === 304) return { changed: false };
      throw this.explain(error, errorContext);
    }
  }

  /** GET /repos/{owner}/{repo}/actions/runs/{id}; null when GitHub does not know the run (404). */
  async getRun(runId: number, etag?: string): Promise<Conditional<ActionsRun | null>> {
    const { octokit, owner, repo, errorContext } = this.session();
    try {
      const response = await octokit.rest.actions.getWorkflowRun({
        owner,
        repo,
        run_id: runId,
        headers: { ...GITHUB_REQUEST_HEADERS, ...(etag ? { 'if-none-match': etag } : {}) },
      });
      return { changed: true, value: toActionsRun(response.data), etag: response.headers.etag ?? null };
    } catch (error) {
      if (status(error) === 304) return { changed: false };
      if (status(error) === 404) return { changed: true, value: null, etag: null };
      throw this.explain(error, errorContext);
    }
  }

  private session(): NonNullable<GithubClient['session']> {
    const session = this.github.session;
    if (!session) throw new GithubDispatchError('GITHUB_TOKEN is not set: there are no Actions runs to follow.', false);
    return session;
  }

  /** A token that may dispatch but not read Actions gets 403/404 here: say which permission is missing. */
  private explain(error: unknown, context: GithubErrorContext): GithubDispatchError {
    const classified = classifyGithubError(error, context);
    if (classified.status !== 403 && classified.status !== 404) return classified;
    return new GithubDispatchError(
      `GitHub refused to list the Actions runs of ${context.repository} (${classified.status}): the token needs read access to Actions (a fine-grained token: Actions: read; a classic token: the "repo" scope). Deploys are still sent; their builds are not followed until this is fixed.`,
      false,
      undefined,
      classified.status,
    );
  }
}
