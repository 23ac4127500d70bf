import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { GithubAppConfig } from '../config/app-config';
import { classifyAppAuthError } from './app-auth-errors';
import { GithubErrorContext } from './github-errors';
import { GithubCredentials } from './github-octokit';

/** GitHub's installation tokens last an hour; renew this long before they run out. */
export const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/** Permission name → 'read' | 'write', as GitHub reports them for an installation token. */
export type GrantedPermissions = Record<string, string | undefined>;

export interface InstallationToken {
  installationId: number;
  token: string;
  expiresAtMs: number;
  /** When a request should stop using it: RENEW_BEFORE_EXPIRY_MS early, or a quarter of its life for short-lived ones. */
  renewAtMs: number;
  permissions: GrantedPermissions;
  repositorySelection: string;
}

export interface AppAuthSettings {
  app: GithubAppConfig;
  owner: string;
  repo: string;
  /** Sends the App's own (JWT-authenticated) requests: a plain Octokit without credentials. */
  appOctokit: Octokit;
  errorContext: () => GithubErrorContext;
  clock?: () => number;
}

/**
 * Authenticates as a GitHub App: a short JWT signed with the App's key (by @octokit/auth-app) finds the installation
 * on the repository and mints installation tokens; every other request carries the current installation token.
 * The token is kept in memory only, renewed before it expires, and re-minted once when GitHub rejects it.
 * Several instances each mint their own, which GitHub allows. Nothing here logs a key, JWT or token.
 */
export class AppInstallationAuth implements GithubCredentials {
  readonly kind = 'app';
  private readonly auth: ReturnType<typeof createAppAuth>;
  private readonly clock: () => number;
  private installationId?: number;
  private current?: InstallationToken;
  private minting?: Promise<InstallationToken>;

  constructor(private readonly settings: AppAuthSettings) {
    this.clock = settings.clock ?? Date.now;
    this.installationId = settings.app.installationId;
    this.auth = createAppAuth({
      appId: settings.app.appId,
      privateKey: settings.app.privateKey,
      request: settings.appOctokit.request,
      log: { warn: () => undefined },
    });
  }

  async authorization(): Promise<{ value: string; cached: boolean }> {
    const current = this.current;
    if (current && this.clock() < current.renewAtMs) return { value: bearer(current.token), cached: true };
    return { value: bearer((await this.mint()).token), cached: false };
  }

  /** A rejected token is replaced once; if another request already replaced it, that newer one is used. */
  async renewAfterRejection(rejected: string): Promise<string> {
    const current = this.current;
    if (current && bearer(current.token) !== rejected && this.clock() < current.renewAtMs) return bearer(current.token);
    return bearer((await this.mint()).token);
  }

  /** The current installation token (minting one if needed): its installation id and permissions, for the access check. */
  async token(): Promise<InstallationToken> {
    const current = this.current;
    return current && this.clock() < current.renewAtMs ? current : this.mint();
  }

  /** Concurrent callers share one mint; a failed mint is not remembered (the next request tries again). */
  private mint(): Promise<InstallationToken> {
    this.minting ??= this.mintNow().finally(() => {
      this.minting = undefined;
    });
    return this.minting;
  }

  private async mintNow(): Promise<InstallationToken> {
    const installationId = await this.findInstallation();
    try {
      const minted = await this.auth({ type: 'installation', installationId, refresh: true });
      const now = this.clock();
      const expiresAtMs = Date.parse(minted.expiresAt);
      const lifeMs = Math.max(0, expiresAtMs - now);
      this.current = {
        installationId,
        token: minted.token,
        expiresAtMs,
        renewAtMs: now + lifeMs - Math.min(RENEW_BEFORE_EXPIRY_MS, lifeMs / 4),
        permissions: minted.permissions ?? {},
        repositorySelection: minted.repositorySelection ?? 'all',
      };
      return this.current;
    } catch (error) {
      throw classifyAppAuthError(error, {
        ...this.settings.errorContext(),
        appId: this.settings.app.appId,
        step: 'token',
        installationId,
      });
    }
  }

  /** GITHUB_APP_INSTALLATION_ID, else GET /repos/{owner}/{repo}/installation with the App's JWT (remembered once found). */
  private async findInstallation(): Promise<number> {
    if (this.installationId !== undefined) return this.installationId;
    const { owner, repo, appOctokit } = this.settings;
    try {
      const { token } = await this.auth({ type: 'app' });
      const { data } = await appOctokit.rest.apps.getRepoInstallation({
        owner,
        repo,
        headers: { authorization: bearer(token) },
      });
      this.installationId = data.id;
      return data.id;
    } catch (error) {
      throw classifyAppAuthError(error, {
        ...this.settings.errorContext(),
        appId: this.settings.app.appId,
        step: 'installation',
      });
    }
  }
}

function bearer(token: string): string {
  return `Bearer ${token}`;
}
