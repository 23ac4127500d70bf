import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { Octokit } from '@octokit/rest';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AccessCache } from './access-cache';
import { AppInstallationAuth } from './app-installation-auth';
import { neededPermissions, tracksRuns } from './app-permissions';
import { dryRunDispatch } from './dry-run-curl';
import { appVerdict, tokenVerdict } from './github-access';
import { classifyGithubError, GithubErrorContext } from './github-errors';
import { createOctokit, GithubCredentials, tokenCredentials } from './github-octokit';
import { DispatchRequest, DispatchResult, GithubAccess } from './github.types';
import { buildWorkflowInputs, repositoryDispatchBody } from './payload';
import { WorkflowDispatcher } from './workflow-dispatch';

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
  message:
    'Neither GITHUB_TOKEN nor a GitHub App (GITHUB_APP_ID) is set: deploys are dry runs, logged as curl commands and never sent.',
  checkedAt: null,
};

/**
 * The only code that talks to GitHub, with a token or as a GitHub App. Octokit does not retry here: each call is
 * one HTTP request (plus, for an App, one token re-mint after a 401) and the deploy queue owns retries and backoff.
 */
@Injectable()
export class GithubClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(GithubClient.name);
  private readonly octokit?: Octokit;
  private readonly app?: AppInstallationAuth;
  private readonly workflow?: WorkflowDispatcher;
  private readonly shutdown = new AbortController();
  private readonly timeoutMs: number;
  private readonly accessCache: AccessCache;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(GITHUB_CLIENT_OPTIONS) options: GithubClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_GITHUB_TIMEOUT_MS;
    const { token, app, apiUrl, owner, repo } = config.github;
    const settings = { apiUrl, timeoutMs: this.timeoutMs, logger: this.logger };
    let credentials: GithubCredentials | undefined;
    if (app && owner && repo) {
      this.app = new AppInstallationAuth({
        app,
        owner,
        repo,
        appOctokit: createOctokit(settings),
        errorContext: () => this.errorContext(),
      });
      credentials = this.app;
    } else if (token) {
      credentials = tokenCredentials(token);
    }
    this.accessCache = new AccessCache(
      credentials ? () => this.checkAccess() : undefined,
      DRY_RUN_ACCESS,
      options.accessTtlMs ?? DEFAULT_ACCESS_TTL_MS,
      this.logger,
      this.shutdown.signal,
    );
    if (!credentials) return;
    this.octokit = createOctokit(settings, credentials);
    const trigger = config.deploy.trigger;
    if (trigger.kind === 'workflow_dispatch')
      this.workflow = new WorkflowDispatcher(this.octokit, { owner: owner!, repo: repo!, ...trigger }, this.logger);
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
    return this.octokit && owner && repo
      ? { octokit: this.octokit, owner, repo, errorContext: this.errorContext() }
      : undefined;
  }

  /**
   * Sends one dispatch: a repository_dispatch, or a workflow_dispatch (which may name the run it started).
   * Throws GithubDispatchError, classified as retryable or not. In dry run nothing is sent: the request is logged
   * as a curl command with the token left as $GITHUB_TOKEN.
   */
  async dispatch(request: DispatchRequest): Promise<DispatchResult> {
    if (!this.octokit) {
      const target = { apiUrl: this.config.github.apiUrl, repository: this.repository };
      const command = dryRunDispatch(this.config.deploy, target, request);
      this.logger.log(
        `Dry run (no GitHub credentials): deploy ${request.deployId} was not sent. It would have been: ${command}`,
      );
      return { kind: 'dry-run' };
    }
    const { owner, repo } = this.config.github;
    try {
      if (this.workflow) return await this.workflow.send(buildWorkflowInputs(request));
      await this.octokit.rest.repos.createDispatchEvent({
        owner: owner!,
        repo: repo!,
        ...repositoryDispatchBody(this.config.deploy.eventType, request),
      });
      return { kind: 'dispatched' };
    } catch (error) {
      throw classifyGithubError(error, this.errorContext());
    }
  }

  /**
   * GET /repos/{owner}/{repo}: 'ok' only when the credentials may dispatch (a token that can push; an App
   * installation that includes the repository with the permissions the configuration needs). Never throws.
   */
  async checkAccess(): Promise<GithubAccess> {
    if (!this.octokit) return DRY_RUN_ACCESS;
    const { owner, repo } = this.config.github;
    const repository = this.repository!;
    try {
      const { data } = await this.octokit.rest.repos.get({
        owner: owner!,
        repo: repo!,
        request: { signal: this.shutdown.signal },
      });
      this.workflow?.rememberDefaultBranch(data.default_branch);
      const verdict = this.app
        ? appVerdict(
            repository,
            await this.app.token(),
            neededPermissions(this.config.deploy.trigger, tracksRuns(this.config)),
          )
        : tokenVerdict(repository, data.permissions, this.config.deploy.trigger);
      return { ...verdict, checkedAt: new Date().toISOString() };
    } catch (error) {
      return {
        state: 'error',
        message: classifyGithubError(error, { ...this.errorContext(), request: 'repository' }).message,
        checkedAt: new Date().toISOString(),
      };
    }
  }

  /** The most recent access check, without waiting ('unknown' until the first one finishes). */
  lastAccess(): GithubAccess {
    return this.accessCache.last();
  }

  /**
   * The last check if younger than `maxAgeMs`, else a new one (concurrent callers share it). Waits at most
   * `waitMs` for a new check and otherwise answers with the last known result, so a hung GitHub cannot
   * stall a readiness probe.
   */
  access(options: { maxAgeMs?: number; waitMs?: number } = {}): Promise<GithubAccess> {
    return this.accessCache.get(options);
  }

  /** Checks access once at start, in the background: GitHub being down or misconfigured never stops the service. */
  onModuleInit(): void {
    if (this.octokit) void this.accessCache.refresh();
  }

  /**
   * Cancels a running access check so it cannot hold the process open. A dispatch in flight is left to finish
   * (within its timeout): cutting it off could leave GitHub with a deploy we then record as failed and send again.
   */
  onApplicationShutdown(): void {
    this.shutdown.abort();
  }

  private errorContext(): GithubErrorContext {
    return {
      repository: this.repository ?? 'GITHUB_REPOSITORY',
      apiUrl: this.config.github.apiUrl,
      timeoutMs: this.timeoutMs,
      secret: this.config.github.token,
      auth: this.app ? 'app' : 'token',
      trigger: this.config.deploy.trigger,
      ref: this.workflow?.knownRef,
    };
  }
}
