import { DeployTrigger } from '../config/app-config';
import { classifyAppAuthError } from './app-auth-errors';
import { classifyGithubError, GithubErrorContext } from './github-errors';

const REPOSITORY_DISPATCH: DeployTrigger = { kind: 'repository_dispatch' };
const WORKFLOW_DISPATCH: DeployTrigger = { kind: 'workflow_dispatch', workflow: 'deploy.yml' };
const base: GithubErrorContext = { repository: 'acme/blog', apiUrl: 'https://api.github.com', timeoutMs: 10_000 };

function answered(status: number, message: string, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error('HttpError'), { status, response: { status, url: 'x', headers, data: { message } } });
}

describe('refusals, by credentials and trigger', () => {
  const cases: { name: string; status: number; said?: string; context: Partial<GithubErrorContext>; says: RegExp }[] = [
    {
      name: 'token 401',
      status: 401,
      context: {},
      says: /rejected the token \(401 Bad credentials\).*Contents: read & write on acme\/blog\) and set GITHUB_TOKEN/,
    },
    {
      name: 'token 401, workflow_dispatch',
      status: 401,
      context: { trigger: WORKFLOW_DISPATCH },
      says: /Actions: read & write on acme\/blog\) and set GITHUB_TOKEN/,
    },
    {
      name: 'App 401',
      status: 401,
      context: { auth: 'app' },
      says: /GitHub App's installation token \(401\) although it was freshly minted/,
    },
    {
      name: 'token 404',
      status: 404,
      context: { trigger: REPOSITORY_DISPATCH },
      says: /does not exist or the token cannot see it\. Check GITHUB_REPOSITORY; a classic token needs the "repo" scope/,
    },
    {
      name: 'App 404',
      status: 404,
      context: { auth: 'app' },
      says: /does not exist or the GitHub App's installation does not include it.*Repository access.*Contents: read & write/,
    },
    {
      name: 'workflow 404',
      status: 404,
      context: { trigger: WORKFLOW_DISPATCH },
      says: /404 for the workflow deploy\.yml in acme\/blog: there is no such workflow/,
    },
    {
      name: 'workflow 404 on the repository read',
      status: 404,
      context: { trigger: WORKFLOW_DISPATCH, request: 'repository' },
      says: /^GitHub answered 404 for acme\/blog: the repository does not exist/,
    },
    {
      name: 'App 403',
      status: 403,
      said: 'Resource not accessible by integration',
      context: { auth: 'app', trigger: WORKFLOW_DISPATCH },
      says: /Resource not accessible by integration\. The GitHub App needs Actions: read & write/,
    },
    {
      name: 'token 403',
      status: 403,
      said: 'Must have admin rights',
      context: {},
      says: /The token is valid but may not do this: a fine-grained token needs Contents: read & write/,
    },
    {
      name: 'payload 422',
      status: 422,
      said: 'No more than 10 properties are allowed',
      context: {},
      says: /DEPLOY_EVENT_TYPE/,
    },
    {
      name: 'no ref',
      status: 422,
      said: 'No ref found for: nope',
      context: { trigger: WORKFLOW_DISPATCH },
      says: /the ref does not exist.*DEPLOY_REF/,
    },
    {
      name: 'no trigger',
      status: 422,
      said: "Workflow does not have 'workflow_dispatch' trigger",
      context: { trigger: WORKFLOW_DISPATCH, ref: 'main' },
      says: /deploy\.yml on ref main of acme\/blog has no workflow_dispatch trigger/,
    },
    {
      name: 'unknown input',
      status: 422,
      said: 'Unexpected inputs provided: ["changes"]',
      context: { trigger: WORKFLOW_DISPATCH },
      says: /does not declare every input.*\["changes"\]/,
    },
    {
      name: 'required input',
      status: 422,
      said: "Required input 'env' not provided",
      context: { trigger: WORKFLOW_DISPATCH },
      says: /requires an input the service does not send.*'env'.*make any other input optional/,
    },
    {
      name: 'other workflow 422',
      status: 422,
      said: 'Something else',
      context: { trigger: WORKFLOW_DISPATCH },
      says: /rejected the workflow_dispatch of deploy\.yml in acme\/blog as invalid \(422\): Something else/,
    },
  ];
  it.each(cases)('$name', ({ status, said = 'x', context, says }) => {
    const error = classifyGithubError(answered(status, said), { ...base, ...context });
    expect(error).toMatchObject({ retryable: false, status });
    expect(error.message).toMatch(says);
  });

  it('keeps a rate-limited 403 retryable, whoever authenticates', () => {
    const error = classifyGithubError(
      answered(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }),
      { ...base, auth: 'app' },
    );
    expect(error.retryable).toBe(true);
  });

  it('folds GitHub line breaks into one line', () => {
    const error = classifyGithubError(answered(422, 'Invalid request.\n\n"x" is not a permitted key.'), base);
    expect(error.message).toContain('Invalid request. "x" is not a permitted key.');
  });
});

describe('classifyAppAuthError', () => {
  const app = { ...base, auth: 'app' as const, appId: '31337' };
  it.each([
    [
      'JWT refused',
      401,
      'installation' as const,
      /GitHub App's JWT \(401: x\): GITHUB_APP_ID 31337 does not belong to this private key/,
    ],
    [
      'not installed',
      404,
      'installation' as const,
      /GitHub App 31337 is not installed on acme\/blog.*GET \/repos\/acme\/blog\/installation/,
    ],
    [
      'wrong installation',
      404,
      'token' as const,
      /Installation 9 of the GitHub App 31337 does not exist.*GITHUB_APP_INSTALLATION_ID/,
    ],
    ['suspended', 403, 'token' as const, /probably suspended/],
  ])('%s', (_name, status, step, says) => {
    const error = classifyAppAuthError(answered(status, 'x'), { ...app, step, installationId: 9 });
    expect(error).toMatchObject({ retryable: false, status });
    expect(error.message).toMatch(says);
  });

  it('leaves 5xx and rate limits retryable', () => {
    expect(classifyAppAuthError(answered(502, 'Bad gateway'), { ...app, step: 'token' }).retryable).toBe(true);
    expect(classifyAppAuthError(answered(403, 'secondary rate limit'), { ...app, step: 'token' }).retryable).toBe(true);
    expect(
      classifyAppAuthError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED', message: '' } }), {
        ...app,
        step: 'installation',
      }).retryable,
    ).toBe(true);
  });
});
