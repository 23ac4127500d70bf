import type { DeployConfig } from '../config/app-config';
import { GITHUB_API_VERSION, GITHUB_MEDIA_TYPE } from './github-http';
import type { DispatchRequest } from './github.types';
import { buildWorkflowInputs, repositoryDispatchBody, workflowDispatchBody } from './payload';

/** Wraps text in single quotes for a POSIX shell: nothing inside is expanded. */
function singleQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Wraps text in double quotes, escaping what the shell would expand, so only the `$NAME` we add is expanded. */
function doubleQuoted(text: string): string {
  return `"${text.replace(/[\\"$`]/g, '\\$&')}"`;
}

export interface CurlDispatch {
  apiUrl: string;
  /** owner/repo; unset in dry run without GITHUB_REPOSITORY, then the shell's $GITHUB_REPOSITORY is used. */
  repository?: string;
  /** Under /repos/{owner}/{repo}/: `dispatches`, or `actions/workflows/{workflow}/dispatches`. */
  endpoint?: string;
  body: unknown;
}

/**
 * The dispatch as one copy-pasteable curl command, for the dry-run log. The token is never known here:
 * the command reads it from the shell's $GITHUB_TOKEN when someone runs it.
 */
export function dispatchAsCurl({ apiUrl, repository, endpoint = 'dispatches', body }: CurlDispatch): string {
  const url = repository
    ? singleQuoted(`${apiUrl}/repos/${repository}/${endpoint}`)
    : `${doubleQuoted(`${apiUrl}/repos/`).slice(0, -1)}$GITHUB_REPOSITORY${doubleQuoted(`/${endpoint}`).slice(1)}`;
  return [
    'curl -sS -X POST',
    url,
    `-H ${singleQuoted(`Accept: ${GITHUB_MEDIA_TYPE}`)}`,
    `-H "Authorization: Bearer $GITHUB_TOKEN"`,
    `-H ${singleQuoted(`X-GitHub-Api-Version: ${GITHUB_API_VERSION}`)}`,
    `-H ${singleQuoted('Content-Type: application/json')}`,
    `-d ${singleQuoted(JSON.stringify(body))}`,
  ].join(' ');
}

/**
 * The request the configured trigger would send for `request`, as a curl command: a repository_dispatch, or a
 * workflow_dispatch. Without credentials the default branch cannot be read, so a workflow's command names the usual one.
 */
export function dryRunDispatch(
  deploy: Pick<DeployConfig, 'trigger' | 'eventType'>,
  target: { apiUrl: string; repository?: string },
  request: DispatchRequest,
): string {
  const { trigger } = deploy;
  if (trigger.kind === 'repository_dispatch')
    return dispatchAsCurl({
      ...target,
      body: repositoryDispatchBody(deploy.eventType, request),
    });
  return dispatchAsCurl({
    ...target,
    endpoint: `actions/workflows/${trigger.workflow}/dispatches`,
    body: workflowDispatchBody(trigger.ref ?? 'main', buildWorkflowInputs(request), true),
  });
}
