import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { Octokit } from '@octokit/rest';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { dispatchAsCurl } from './dry-run-curl';
import { classifyGithubError, GithubErrorContext } from './github-errors';
import { GITHUB_REQUEST_HEADERS } from './github-http';
import { DispatchOutcome, DispatchRequest, GithubAccess } from './github.types';
import { buildClientPayload } from './payload';

/** Optional tuning, provided under GITHUB_CLIENT_OPTIONS (tests shorten the timeout). */
export interface GithubClientOptions {
  /** Per request; a hung GitHub then fails as a retryable error instead of blocking the deploy worker. */
  timeoutMs?: number;
  /** How long /health/ready reuses the last access check. */
  accessTtlMs?: number;
}
export const GITHUB_CLIENT_OPTIONS = Symbol('GITHUB_CLIENT_OPTIONS');

export const DEFAULT_GITHUB_TIMEOUT_MS = 10_000;
export const DEFAULT_ACCESS_TTL_MS = 60_000;

const DRY_RUN_ACCESS: GithubAccess = {
  state: 'dry-run',
  message: 'GITHUB_TOKEN is not set: deploys are dry runs, logged as curl commands and never sent.',
  checkedAt: null,
};

/**
 * The only code that talks to GitHub. Octokit does not retry here: @octokit/rest carries no retry or
 * throttling plugin, so each call is exactly one HTTP request and the deploy queue owns retries and backoff.
 */
@Injectable()
export class GithubClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(GithubClient.name);
  private readonly octokit?: Octokit;
  private readonly shutdown = new AbortController();
  private readonly timeoutMs: number;
  private readonly accessTtlMs: number;
  private latest: GithubAccess;
  private latestAtMs = 0;
  private running?: Promise<GithubAccess>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(GITHUB_CLIENT_OPTIONS) options: GithubClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_GITHUB_TIMEOUT_MS;
    this.accessTtlMs = options.accessTtlMs ?? DEFAULT_ACCESS_TTL_MS;
    const { token, apiUrl } = config.github;
    this.latest = token ? { state: 'unknown', message: 'GitHub access has not been checked yet.', checkedAt: null } : DRY_RUN_ACCESS;
    if (!token) return;
    this.octokit = new Octokit({
      baseUrl: apiUrl,
      userAgent: 'blog-deployer',
      // Octokit's request log would print failures to the console; we report them classified instead.
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => this.logger.warn(message),
        error: (message: string) => this.logger.debug(message),
      },
      request: { fetch: (url: string, init: RequestInit) => this.fetchWithTimeout(url, init) },
    });
    // `Authorization: Bearer <token>`, as GitHub's docs (and our dry-run curl) write it, for classic and
    // fine-grained tokens alike (Octokit's own token auth would send the older `token <token>` form).
    this.octokit.hook.before('request', (request) => {
      request.headers.authorization = `Bearer ${token}`;
    });
  }

  /** owner/repo, as configured. */
  get repository(): string | undefined {
    const { owner, repo } = this.config.github;
    return owner && repo ? `${owner}/${repo}` : undefined;
  }

  get dryRun(): boolean {
    return this.octokit === undefined;
  }

  /** The same Octokit instance (auth, timeout, headers) for the run reader beside this class; undefined in dry run. */
  get session(): { octokit: Octokit; owner: string; repo: string; errorContext: GithubErrorContext } | undefined {
    const { owner, repo } = this.config.github;
    return this.octokit && owner && repo ? { octokit: this.octokit, owner, repo, errorContext: this.errorContext() } : undefined;
  }

  /**
   * Sends one repository_dispatch (contract §6). Throws GithubDispatchError, classified as retryable or not.
   * In dry run nothing is sent: the request is logged as a curl command with the token left as $GITHUB_TOKEN.
   */
  async dispatch(request: DispatchRequest): Promise<DispatchOutcome> {
    const clientPayload = buildClientPayload(request);
    const eventType = this.config.deploy.eventType;
    if (!this.octokit) {
      const curl = dispatchAsCurl({
        apiUrl: this.config.github.apiUrl,
        repository: this.repository,
        body: { event_type: eventType, client_payload: clientPayload },
      });
      this.logger.log(`Dry run (GITHUB_TOKEN is not set): deploy ${request.deployId} was not sent. It would have been: ${curl}`);
      return { kind: 'dry-run' };
    }
    const { owner, repo } = this.config.github;
    try {
      await this.octokit.rest.repos.createDispatchEvent({
        owner: owner!,
        repo: repo!,
        event_type: eventType,
        client_payload: clientPayload,
        headers: GITHUB_REQUEST_HEADERS,
      });
      return { kind: 'dispatched' };
    } catch (error) {
      throw classifyGithubError(error, this.errorContext());
    }
  }

  /** GET /repos/{owner}/{repo}: 'ok' only when the token is accepted and may push. Never throws. */
  async checkAccess(): Promise<GithubAccess> {
    if (!this.octokit) return DRY_RUN_ACCESS;
    const { owner, repo } = this.config.github;
    const repository = this.repository!;
    const finished = (state: GithubAccess['state'], message: string): GithubAccess => ({ state, message, checkedAt: new Date().toISOString() });
    try {
      const { data } = await this.octokit.rest.repos.get({
        owner: owner!,
        repo: repo!,
        headers: GITHUB_REQUEST_HEADERS,
        request: { signal: this.shutdown.signal },
      });
      if (data.permissions?.push === true) return finished('ok', `The token can push to ${repository}: deploys can be dispatched.`);
      return finished(
        'error',
        `The token can see ${repository} but cannot push to it, so dispatches will be refused. Give it write access: a classic token needs the "repo" scope, a fine-grained token Contents: read & write on ${repository}, and the token's owner needs write access to the repository.`,
      );
    } catch (error) {
      return finished('error', classifyGithubError(error, this.errorContext()).message);
    }
  }

  /** The most recent access check, without waiting ('unknown' until the first one finishes). */
  lastAccess(): GithubAccess {
    return this.latest;
  }

  /**
   * The last check if younger than `maxAgeMs`, else a new one (concurrent callers share it). Waits at most
   * `waitMs` for a new check and otherwise answers with the last known result, so a hung GitHub cannot
   * stall a readiness probe.
   */
  async access({ maxAgeMs = this.accessTtlMs, waitMs = Number.POSITIVE_INFINITY } = {}): Promise<GithubAccess> {
    if (!this.octokit) return DRY_RUN_ACCESS;
    const fresh = this.latest.state !== 'unknown' && Date.now() - this.latestAtMs < maxAgeMs;
    if (fresh && !this.running) return this.latest;
    const check = this.refreshAccess();
    if (!Number.isFinite(waitMs)) return check;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<GithubAccess>((resolve) => {
      timer = setTimeout(() => resolve(this.latest), waitMs);
    });
    return Promise.race([check, giveUp]).finally(() => clearTimeout(timer));
  }

  /** Checks access once at start, in the background: GitHub being down or misconfigured never stops the service. */
  onModuleInit(): void {
    if (this.octokit) void this.refreshAccess();
  }

  /**
   * Cancels a running access check so it cannot hold the process open. A dispatch in flight is left to finish
   * (within its timeout): cutting it off could leave GitHub with a deploy we then record as failed and send again.
   */
  onApplicationShutdown(): void {
    this.shutdown.abort();
  }

  private refreshAccess(): Promise<GithubAccess> {
    this.running ??= this.checkAccess()
      .then((access) => {
        this.report(this.latest, access);
        this.latest = access;
        this.latestAtMs = Date.now();
        return access;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** One line when the state changes (and at the first check), not on every probe. */
  private report(before: GithubAccess, after: GithubAccess): void {
    if (this.shutdown.signal.aborted || (before.state === after.state && before.message === after.message)) return;
    if (after.state === 'ok') this.logger.log(`GitHub access: ${after.message}`);
    else this.logger.error(`GitHub access check failed: ${after.message} Content editing keeps working; deploys will fail until this is fixed.`);
  }

  private fetchWithTimeout(url: string, init: RequestInit): Promise<Response> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  }

  private errorContext(): GithubErrorContext {
    return {
      repository: this.repository ?? 'GITHUB_REPOSITORY',
      apiUrl: this.config.github.apiUrl,
      timeoutMs: this.timeoutMs,
      secret: this.config.github.token,
    };
  }
}
