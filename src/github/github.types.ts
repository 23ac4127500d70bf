/**
 * The seam between the deploy worker and GitHub. GithubClient (github.client.ts) implements it with
 * @octokit/rest; nothing else in the service talks to GitHub.
 */
export interface DispatchRequest {
  deployId: string;
  reason: string;
  changeCount: number;
  editCount: number;
  changes: { kind: string; id: string; action: string; at: string }[];
  firstChangeAt: string | null;
  lastChangeAt: string | null;
}

export type DispatchOutcome = { kind: 'dispatched' } | { kind: 'dry-run' };

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
   * 'ok': the token can push; 'dry-run': no token; 'unknown': not checked yet (the first check runs in the
   * background at start); 'error': `message` says what is wrong and what to do.
   */
  state: 'ok' | 'dry-run' | 'error' | 'unknown';
  message: string;
  /** ISO time the check finished; null before the first check (and in dry run). */
  checkedAt: string | null;
}
