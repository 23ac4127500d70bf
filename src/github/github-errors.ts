import { AdviceContext, explainRefusal } from './github-error-advice';
import { githubMessage, httpFailure, HttpFailure } from './github-failure';
import { GithubDispatchError } from './github.types';

/** What a message needs to name the place to fix; `secret` is scrubbed from anything GitHub echoes back. */
export interface GithubErrorContext extends AdviceContext {
  apiUrl: string;
  timeoutMs: number;
  secret?: string;
  /** Clock for Retry-After dates and x-ratelimit-reset (tests pin it). */
  now?: number;
}

/** GitHub: "If you exceed a secondary rate limit … wait for at least one minute before retrying" (no header given). */
export const SECONDARY_LIMIT_MIN_WAIT_MS = 60_000;
/** A primary limit resets within an hour; a longer wait can only come from a bad header or a skewed clock. */
export const MAX_RETRY_AFTER_MS = 3_600_000;
/** x-ratelimit-reset is GitHub's clock in whole seconds: wait a little past it so a skewed clock does not retry early. */
const RESET_MARGIN_MS = 1_000;

const STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Token-shaped strings are scrubbed too, in case GitHub (or a proxy) echoes some other credential. */
const TOKEN_SHAPES = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g;

export function redactSecrets(text: string, secret?: string): string {
  const scrubbed = secret ? text.split(secret).join('[REDACTED]') : text;
  return scrubbed.replace(TOKEN_SHAPES, '[REDACTED]');
}

/** Retry-After (seconds or HTTP date), else x-ratelimit-reset when the primary limit is used up. */
export function requestedWaitMs(headers: Record<string, string | undefined>, now = Date.now()): number | undefined {
  const clamp = (ms: number) => Math.min(Math.max(0, Math.ceil(ms)), MAX_RETRY_AFTER_MS);
  const retryAfter = headers['retry-after']?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return clamp(Number(retryAfter) * 1_000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return clamp(at - now);
  }
  const reset = headers['x-ratelimit-reset']?.trim();
  if (headers['x-ratelimit-remaining']?.trim() === '0' && reset && /^\d+$/.test(reset)) {
    return clamp(Number(reset) * 1_000 - now + RESET_MARGIN_MS);
  }
  return undefined;
}

function seconds(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.ceil(ms / 1_000)} s`;
}

function rateLimited(failure: HttpFailure, context: GithubErrorContext, said: string): GithubDispatchError {
  const { status, headers } = failure;
  const asked = requestedWaitMs(headers, context.now);
  const primary = headers['x-ratelimit-remaining']?.trim() === '0';
  const waitMs = asked ?? SECONDARY_LIMIT_MIN_WAIT_MS;
  const message = primary
    ? `GitHub's API rate limit for this token is used up (${status}, x-ratelimit-remaining: 0); wait ${seconds(waitMs)} until it resets. If it keeps happening, something else is using the same token.`
    : `GitHub's secondary rate limit was hit (${status}): ${said}. Wait ${seconds(waitMs)} before the next attempt; too many dispatches in a short time cause this.`;
  return new GithubDispatchError(message, true, waitMs, status);
}

function isRateLimit(failure: HttpFailure, said: string): boolean {
  if (failure.status === 429) return true;
  if (failure.status !== 403) return false;
  const { headers } = failure;
  return (
    headers['x-ratelimit-remaining']?.trim() === '0' ||
    headers['retry-after'] !== undefined ||
    /rate limit|abuse/i.test(said)
  );
}

function fromHttp(failure: HttpFailure, context: GithubErrorContext): GithubDispatchError {
  const { status } = failure;
  const said = githubMessage(failure.data);
  if (isRateLimit(failure, said)) return rateLimited(failure, context, said);
  const refusal = explainRefusal(status, said, context);
  if (refusal !== undefined) return new GithubDispatchError(refusal, false, undefined, status);
  if (status >= 500) {
    const name = STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : '';
    return new GithubDispatchError(
      `GitHub answered ${status}${name}: a problem on GitHub's side that usually passes (${said}). If it lasts, see https://www.githubstatus.com.`,
      true,
      requestedWaitMs(failure.headers, context.now),
      status,
    );
  }
  if (status === 408) {
    return new GithubDispatchError(
      `GitHub timed out reading the request (408): ${said}.`,
      true,
      requestedWaitMs(failure.headers, context.now),
      status,
    );
  }
  return new GithubDispatchError(
    `GitHub refused the request to ${context.repository} (${status}): ${said}.`,
    false,
    undefined,
    status,
  );
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/**
 * The error and its causes, outermost first. Duck-typed, not `instanceof Error`: fetch's errors can come from
 * another realm (jest's sandbox), and Octokit then reports "Unknown Error" with the real one as `cause`.
 */
function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let e: unknown = error; typeof e === 'object' && e !== null && chain.length < 6; e = (e as ErrorLike).cause)
    chain.push(e);
  return chain;
}

/** The most specific description: the innermost message that says something, with its code (ECONNREFUSED …). */
function networkCause(chain: ErrorLike[], error: unknown): string {
  const vague = /^(fetch failed|unknown error|)$/i;
  for (const e of [...chain].reverse()) {
    const message = typeof e.message === 'string' ? e.message : '';
    const code = typeof e.code === 'string' ? e.code : '';
    if (!vague.test(message)) return code && !message.includes(code) ? `${message} (${code})` : message;
    if (code) return code;
  }
  return typeof error === 'string' ? error : 'unknown network error';
}

function fromNetwork(error: unknown, context: GithubErrorContext): GithubDispatchError {
  const chain = causeChain(error);
  if (chain.some((e) => e.name === 'TimeoutError')) {
    return new GithubDispatchError(
      `GitHub did not answer within ${seconds(context.timeoutMs)} (${context.apiUrl}). Usually temporary; if it lasts, check the network and https://www.githubstatus.com.`,
      true,
    );
  }
  if (chain.some((e) => e.name === 'AbortError')) {
    return new GithubDispatchError(`The request to GitHub was cancelled because the service is shutting down.`, true);
  }
  return new GithubDispatchError(
    `Could not reach GitHub at ${context.apiUrl}: ${networkCause(chain, error)}. Check the network, DNS, proxy settings and GITHUB_API_URL.`,
    true,
  );
}

/**
 * Turns whatever Octokit threw into a GithubDispatchError whose message says what to do, and whether our
 * queue should try again. Octokit reports network failures as a RequestError with status 500 and no
 * response, so "has a response" (not the status) is what separates GitHub's answers from network errors.
 */
export function classifyGithubError(error: unknown, context: GithubErrorContext): GithubDispatchError {
  const failure = httpFailure(error);
  const classified =
    error instanceof GithubDispatchError ? error : failure ? fromHttp(failure, context) : fromNetwork(error, context);
  const message = redactSecrets(classified.message, context.secret);
  if (message === classified.message) return classified;
  return new GithubDispatchError(message, classified.retryable, classified.retryAfterMs, classified.status);
}
