import { GITHUB_API_VERSION, GITHUB_MEDIA_TYPE } from './github-http';

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
