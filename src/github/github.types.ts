import type { ContentChange } from '../content/content-change';

/**
 * The seam between the deploy worker and GitHub. GithubClient (github.client.ts) implements it with
 * @octokit/rest (and @octokit/auth-app for a GitHub App); nothing else in the service talks to GitHub.
 */
export interface DispatchRequest {
  deployId: string;
  reason: string;
  changeCount: number;
  editCount: number;
  changes: ContentChange[];
  firstChangeAt: string | null;
  lastChangeAt: string | null;
}

/** The GitHub Actions run a dispatch started, when GitHub says which (workflow_dispatch with run details). */
export interface DispatchedRun {
  id: number;
  /** The run's page on GitHub (html_url). */
  url: string;
}

/** What a dispatch did: sent (with its run when known), or only logged in dry run. */
export type DispatchResult = { kind: 'dispatched'; run?: DispatchedRun } | { kind: 'dry-run'; run?: undefined };

/** Thrown by GithubClient.dispatch. `message` is a sentence a person can act on; it never contains the token. */
export class GithubDispatchError extends Error {
  constructor(
    message: string,
    /** Network errors, 5xx, 429 and rate-limited 403 are retryable; 401, 404, 422 are not. */
    readonly retryable: boolean,
    /** The wait GitHub asked for (Retry-After / x-ratelimit-reset / secondary-limit minimum), if any. */
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GithubDispatchError';
  }
}

export interface GithubAccess {
  /**
   * 'ok': the token (or the GitHub App's installation) may dispatch; 'dry-run': no token; 'unknown': not checked yet (the first check runs in the
   * background at start); 'error': `message` says what is wrong and what to do.
   */
  state: 'ok' | 'dry-run' | 'error' | 'unknown';
  message: string;
  /** ISO time the check finished; null before the first check (and in dry run). */
  checkedAt: string | null;
}
