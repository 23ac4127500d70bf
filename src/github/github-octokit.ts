import { Logger } from '@nestjs/common';
import { Octokit } from '@octokit/rest';
import { GITHUB_REQUEST_HEADERS } from './github-http';

/** What every request carries: the Authorization header comes from here, per request. */
export interface GithubCredentials {
  readonly kind: 'token' | 'app';
  /** The header for the next request; `cached` when it was not made for this very request (then it may be stale). */
  authorization(): Promise<{ value: string; cached: boolean }>;
  /** After GitHub answered 401 to `rejected`: a fresh header, or undefined when there is nothing to renew. */
  renewAfterRejection(rejected: string): Promise<string | undefined>;
}

/** A fixed token, as `Authorization: Bearer <token>` (GitHub's documented form, for classic and fine-grained tokens). */
export function tokenCredentials(token: string): GithubCredentials {
  return {
    kind: 'token',
    authorization: () => Promise.resolve({ value: `Bearer ${token}`, cached: false }),
    renewAfterRejection: () => Promise.resolve(undefined),
  };
}

export interface OctokitSettings {
  apiUrl: string;
  timeoutMs: number;
  logger: Logger;
}

function isUnauthorized(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 401;
}

/**
 * An Octokit that sends GitHub's documented headers, gives up after `timeoutMs`, never retries by itself and never
 * prints: failures are classified and reported by the caller. With `credentials`, each request is authenticated,
 * and a 401 on a cached credential (an installation token revoked or expired early) is retried once with a fresh one.
 */
export function createOctokit(
  { apiUrl, timeoutMs, logger }: OctokitSettings,
  credentials?: GithubCredentials,
): Octokit {
  const octokit = new Octokit({
    baseUrl: apiUrl,
    userAgent: 'blog-deployer',
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => logger.warn(message),
      error: (message: string) => logger.debug(message),
    },
    request: {
      fetch: (url: string, init: RequestInit) => {
        const timeout = AbortSignal.timeout(timeoutMs);
        return fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
      },
    },
  });
  octokit.hook.before('request', (options) => {
    Object.assign(options.headers, GITHUB_REQUEST_HEADERS);
  });
  if (!credentials) return octokit;
  octokit.hook.wrap('request', async (request, options) => {
    const first = await credentials.authorization();
    options.headers.authorization = first.value;
    try {
      return await request(options);
    } catch (error) {
      if (!isUnauthorized(error) || !first.cached) throw error;
      const renewed = await credentials.renewAfterRejection(first.value);
      if (renewed === undefined) throw error;
      options.headers.authorization = renewed;
      return request(options);
    }
  });
  return octokit;
}
