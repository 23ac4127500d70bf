import { DeployTrigger } from '../config/app-config';
import { InstallationToken } from './app-installation-auth';
import { describeNeed, missingPermissions, PermissionNeed } from './app-permissions';
import { GithubAccess } from './github.types';

type Verdict = Pick<GithubAccess, 'state' | 'message'>;

/** A token: GET /repos/{owner}/{repo} says whether its owner may push, which both dispatches need. */
export function tokenVerdict(
  repository: string,
  permissions: { push?: boolean } | undefined,
  trigger: DeployTrigger,
): Verdict {
  if (permissions?.push === true)
    return { state: 'ok', message: `The token can push to ${repository}: deploys can be dispatched.` };
  const scope = trigger.kind === 'workflow_dispatch' ? 'Actions: read & write' : 'Contents: read & write';
  return {
    state: 'error',
    message: `The token can see ${repository} but cannot push to it, so dispatches will be refused. Give it write access: a classic token needs the "repo" scope, a fine-grained token ${scope} on ${repository}, and the token's owner needs write access to the repository.`,
  };
}

function list(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * A GitHub App: its installation token (already used to read the repository, so the installation includes it)
 * carries the permissions the installation granted; each one the configuration needs is checked.
 */
export function appVerdict(repository: string, token: InstallationToken, needs: PermissionNeed[]): Verdict {
  const installation = `installation ${token.installationId}`;
  const missing = missingPermissions(token.permissions, needs);
  if (missing.length > 0) {
    return {
      state: 'error',
      message: `The GitHub App's ${installation} on ${repository} lacks ${list(missing.map(describeNeed))}, so deploys will be refused. Add them in the App's settings → Permissions & events, then approve the new permissions on the installation (the owner's Settings → GitHub Apps → Configure).`,
    };
  }
  return {
    state: 'ok',
    message: `The GitHub App's ${installation} includes ${repository} with ${list(needs.map(describeNeed))}: deploys can be dispatched.`,
  };
}
