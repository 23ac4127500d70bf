import { classifyGithubError, GithubErrorContext } from './github-errors';
import { githubMessage, httpFailure } from './github-failure';
import { GithubDispatchError } from './github.types';

export interface AppAuthErrorContext extends GithubErrorContext {
  appId: string;
  /** Finding the installation on the repository, or minting its token. */
  step: 'installation' | 'token';
  installationId?: number;
}

/**
 * The App's own requests (signed with its JWT) fail for reasons of their own: a key that does not belong to the
 * App, an App not installed on the repository, a wrong or suspended installation. Rate limits, 5xx and network
 * trouble are classified (and retried) like any other request.
 */
export function classifyAppAuthError(error: unknown, context: AppAuthErrorContext): GithubDispatchError {
  const failure = httpFailure(error);
  const said = failure ? githubMessage(failure.data) : '';
  const { appId, repository, installationId } = context;
  const refuse = (message: string) => new GithubDispatchError(message, false, undefined, failure?.status);
  switch (failure?.status) {
    case 401:
      return refuse(
        `GitHub rejected the GitHub App's JWT (401: ${said}): GITHUB_APP_ID ${appId} does not belong to this private key, the key was deleted from the App's settings, or this machine's clock is off by more than a minute.`,
      );
    case 404:
      if (context.step === 'installation') {
        return refuse(
          `The GitHub App ${appId} is not installed on ${repository}, or the repository does not exist (404 from GET /repos/${repository}/installation). Install the App on it (the App's settings → Install App → the owner → Only select repositories → ${repository}) and check GITHUB_REPOSITORY.`,
        );
      }
      return refuse(
        `Installation ${installationId} of the GitHub App ${appId} does not exist (404). Check GITHUB_APP_INSTALLATION_ID (the number at the end of the installation's settings URL, …/settings/installations/<id>), or unset it to look the installation up from GITHUB_REPOSITORY.`,
      );
    case 403:
      if (!/rate limit|abuse/i.test(said) && failure.headers['x-ratelimit-remaining'] !== '0') {
        return refuse(
          `GitHub refused the GitHub App ${appId} an installation token (403: ${said}): the installation is probably suspended. Unsuspend it under the owner's Settings → GitHub Apps → Configure.`,
        );
      }
      break;
    case 422:
      return refuse(`GitHub refused the GitHub App ${appId} an installation token for ${repository} (422: ${said}).`);
  }
  return classifyGithubError(error, context);
}
