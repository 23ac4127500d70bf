import { DeployTrigger } from '../config/app-config';

/** What the sentences name: where to look and what to change. */
export interface AdviceContext {
  /** owner/repo */
  repository: string;
  /** How the service authenticates (default: a token). */
  auth?: 'token' | 'app';
  /** Which dispatch the service sends (default: repository_dispatch). */
  trigger?: DeployTrigger;
  /** The ref a workflow_dispatch runs on, once known. */
  ref?: string;
  /** The request that was refused: the dispatch itself, or the repository read of the access check. */
  request?: 'dispatch' | 'repository';
}

const WORKFLOW_INPUTS = 'deploy_id, reason, change_count and changes';

/** "Contents: read & write" for repository_dispatch, "Actions: read & write" for workflow_dispatch. */
function writePermission(context: AdviceContext): string {
  return context.trigger?.kind === 'workflow_dispatch' ? 'Actions: read & write' : 'Contents: read & write';
}

function credentialsHint(context: AdviceContext): string {
  const repo = context.repository;
  if (context.auth === 'app') {
    return `the GitHub App's installation must include ${repo} (Repository access) and the App needs ${writePermission(context)}`;
  }
  return `a classic token needs the "repo" scope, a fine-grained token needs ${writePermission(context)} on ${repo}, and the token's owner must have access to the repository`;
}

function unauthorized(context: AdviceContext): string {
  if (context.auth === 'app') {
    return `GitHub rejected the GitHub App's installation token (401) although it was freshly minted: the App may have been uninstalled from ${context.repository} or suspended, or its private key revoked. Check the installation under the owner's Settings → GitHub Apps, and GITHUB_APP_ID and the key.`;
  }
  return `GitHub rejected the token (401 Bad credentials): it is missing, expired or revoked. Create a new token (a classic token with the "repo" scope, or a fine-grained token with ${writePermission(context)} on ${context.repository}) and set GITHUB_TOKEN.`;
}

function notFound(context: AdviceContext): string {
  const repo = context.repository;
  const trigger = context.trigger;
  if (trigger?.kind === 'workflow_dispatch' && context.request !== 'repository') {
    return `GitHub answered 404 for the workflow ${trigger.workflow} in ${repo}: there is no such workflow (DEPLOY_WORKFLOW is the file name under .github/workflows, e.g. deploy.yml, or the workflow's numeric id; a new file must be on the default branch first), or ${repo} does not exist or the credentials cannot see it (${credentialsHint(context)}).`;
  }
  const who = context.auth === 'app' ? "the GitHub App's installation does not include it" : 'the token cannot see it';
  return `GitHub answered 404 for ${repo}: the repository does not exist or ${who}. Check GITHUB_REPOSITORY; ${credentialsHint(context)}.`;
}

function forbidden(said: string, context: AdviceContext): string {
  const repo = context.repository;
  if (context.auth === 'app') {
    return `GitHub refused the request to ${repo} (403 Forbidden): ${said}. The GitHub App needs ${writePermission(context)} (the App's settings → Permissions & events; the installation must accept changed permissions).`;
  }
  return `GitHub refused the request to ${repo} (403 Forbidden): ${said}. The token is valid but may not do this: a fine-grained token needs ${writePermission(context)} on ${repo}, and an organization that uses SAML single sign-on must have authorized the token.`;
}

/** workflow_dispatch's own refusals, told apart by GitHub's words. */
function invalidWorkflowDispatch(said: string, workflow: string, context: AdviceContext): string {
  const repo = context.repository;
  const ref = context.ref ? `ref ${context.ref}` : 'its ref';
  if (/no ref found/i.test(said)) {
    return `GitHub cannot run ${workflow} in ${repo}: the ref does not exist (422: ${said}). Set DEPLOY_REF to an existing branch or tag, or unset it to use the default branch.`;
  }
  if (/workflow_dispatch'? trigger/i.test(said)) {
    return `The workflow ${workflow} on ${ref} of ${repo} has no workflow_dispatch trigger (422: ${said}). Add "on: workflow_dispatch" with the inputs ${WORKFLOW_INPUTS} (type: string) to the file on that ref, or point DEPLOY_WORKFLOW or DEPLOY_REF elsewhere.`;
  }
  if (/unexpected inputs/i.test(said)) {
    return `The workflow ${workflow} in ${repo} does not declare every input the service sends (422: ${said}). Declare ${WORKFLOW_INPUTS} under on.workflow_dispatch.inputs, each type: string.`;
  }
  if (/required input/i.test(said)) {
    return `The workflow ${workflow} in ${repo} requires an input the service does not send (422: ${said}). The service sends ${WORKFLOW_INPUTS}; make any other input optional or give it a default.`;
  }
  return `GitHub rejected the workflow_dispatch of ${workflow} in ${repo} as invalid (422): ${said}. Check that the workflow declares the inputs ${WORKFLOW_INPUTS} (type: string) and that DEPLOY_REF names a branch or tag.`;
}

function invalid(said: string, context: AdviceContext): string {
  const trigger = context.trigger;
  if (trigger?.kind === 'workflow_dispatch') return invalidWorkflowDispatch(said, trigger.workflow, context);
  return `GitHub rejected the dispatch to ${context.repository} as invalid (422): ${said}. Check DEPLOY_EVENT_TYPE (1 to 100 characters) and the client_payload (at most 10 top-level keys).`;
}

/**
 * The sentence for an answer that fails a deploy at once, saying what to fix: 401, 403 (not a rate limit), 404 or
 * 422; undefined for other statuses.
 */
export function explainRefusal(status: number, said: string, context: AdviceContext): string | undefined {
  switch (status) {
    case 401:
      return unauthorized(context);
    case 403:
      return forbidden(said, context);
    case 404:
      return notFound(context);
    case 422:
      return invalid(said, context);
    default:
      return undefined;
  }
}
