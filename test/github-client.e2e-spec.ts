import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { execFileSync } from 'node:child_process';
import { AppConfigModule } from '../src/config/config.module';
import { GithubClient } from '../src/github/github.client';
import { GithubModule } from '../src/github/github.module';
import { buildClientPayload } from '../src/github/payload';
import { FakeGithub, FakeResponse } from './support/fake-github';
import { dispatchFailure, githubClients, SAMPLE_DISPATCH } from './support/github-client-fixtures';
import { waitFor } from './support/wait-for';

const TOKEN = 'ghp_e2eTestToken0123456789abcdefghijkl';
const REQUEST = SAMPLE_DISPATCH;

describe('GithubClient against a fake GitHub', () => {
  const gh = githubClients((fake) => ({
    S3_BUCKET: 'github-e2e',
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: 'acme/blog',
    GITHUB_API_URL: fake.url,
    DEPLOY_EVENT_TYPE: 'blog-deploy',
  }));
  const client = gh.client.bind(gh);

  it('sends one dispatch with the token, the documented headers and body', async () => {
    await expect(client().dispatch(REQUEST)).resolves.toEqual({ kind: 'dispatched' });
    const [sent, ...others] = gh.fake.requests;
    expect(others).toEqual([]);
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/repos/acme/blog/dispatches');
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.headers.accept).toBe('application/vnd.github+json');
    expect(sent.headers['x-github-api-version']).toBe('2022-11-28');
    expect(sent.headers['content-type']).toMatch(/^application\/json/);
    expect(sent.body).toEqual({ event_type: 'blog-deploy', client_payload: buildClientPayload(REQUEST) });
    expect(Object.keys((sent.body as { client_payload: object }).client_payload)).toEqual([
      'deployId',
      'reason',
      'changeCount',
      'editCount',
      'changes',
      'firstChangeAt',
      'lastChangeAt',
      'truncated',
    ]);
  });

  const secondary = {
    message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    documentation_url: 'https://docs.github.com/rest',
  };
  const failures: {
    name: string;
    response: FakeResponse;
    retryable: boolean;
    retryAfterMs?: number | 'reset';
    says: RegExp;
  }[] = [
    {
      name: '401',
      response: { status: 401, body: { message: 'Bad credentials' } },
      retryable: false,
      says: /401 Bad credentials.*expired or revoked.*GITHUB_TOKEN/,
    },
    {
      name: '404',
      response: { status: 404, body: { message: 'Not Found' } },
      retryable: false,
      says: /acme\/blog.*cannot see it.*"repo" scope.*Contents: read & write/,
    },
    {
      name: '422',
      response: { status: 422, body: { message: 'No more than 10 properties are allowed; 11 were supplied.' } },
      retryable: false,
      says: /422.*No more than 10 properties are allowed/,
    },
    {
      name: '429 Retry-After',
      response: { status: 429, headers: { 'retry-after': '7' }, body: secondary },
      retryable: true,
      retryAfterMs: 7_000,
      says: /secondary rate limit/,
    },
    {
      name: '403 secondary limit',
      response: { status: 403, body: secondary },
      retryable: true,
      retryAfterMs: 60_000,
      says: /secondary rate limit/,
    },
    {
      name: '403 primary limit',
      response: {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': 'RESET' },
        body: { message: 'API rate limit exceeded' },
      },
      retryable: true,
      retryAfterMs: 'reset',
      says: /rate limit for this token is used up/,
    },
    {
      name: '403 forbidden',
      response: { status: 403, body: { message: 'Resource not accessible by personal access token' } },
      retryable: false,
      says: /403 Forbidden.*Resource not accessible.*Contents: read & write/,
    },
    {
      name: '502',
      response: { status: 502, body: { message: 'Server Error' } },
      retryable: true,
      says: /502 Bad Gateway/,
    },
  ];

  it.each(failures)(
    'classifies $name and sends it exactly once (no retry inside Octokit)',
    async ({ response, retryable, retryAfterMs, says }) => {
      const resetAt = Math.floor(Date.now() / 1000) + 120;
      const headers = Object.fromEntries(
        Object.entries(response.headers ?? {}).map(([k, v]) => [k, v === 'RESET' ? String(resetAt) : v]),
      );
      gh.fake.respond('dispatch', { ...response, headers });
      const error = await dispatchFailure(client().dispatch(REQUEST));
      expect(error.status).toBe(response.status);
      expect(error.retryable).toBe(retryable);
      if (retryAfterMs === 'reset') {
        expect(error.retryAfterMs).toBeGreaterThan(60_000);
        expect(error.retryAfterMs).toBeLessThanOrEqual(122_000);
      } else {
        expect(error.retryAfterMs).toBe(retryAfterMs);
      }
      expect(error.message).toMatch(says);
      expect(error.message).not.toContain(TOKEN);
      expect(gh.fake.dispatches()).toHaveLength(1);
    },
  );

  it('gives up on a GitHub that does not answer, as a retryable error', async () => {
    gh.fake.respond('dispatch', { status: 204, delayMs: 30_000 });
    const error = await dispatchFailure(client({}, { timeoutMs: 300 }).dispatch(REQUEST));
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.message).toMatch(/did not answer within 300 ms/);
    const [sent] = gh.fake.dispatches();
    await waitFor('the fake to see the connection dropped', () => sent.endedAt !== undefined);
    expect(sent.status).toBeUndefined();
  });

  it('reports an unreachable GitHub as a retryable network error', async () => {
    const gone = await FakeGithub.start();
    await gone.close();
    const error = await dispatchFailure(client({ GITHUB_API_URL: gone.url }).dispatch(REQUEST));
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(
      /Could not reach GitHub at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*GITHUB_API_URL/,
    );
  });

  it('never puts the token in an error, even when GitHub echoes it', async () => {
    gh.fake.respond('dispatch', { status: 422, body: { message: `Invalid request with token ${TOKEN}` } });
    const error = await dispatchFailure(client().dispatch(REQUEST));
    expect(error.message).toContain('[REDACTED]');
    expect(error.message).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  describe('checkAccess', () => {
    const cases: { name: string; response?: FakeResponse; push?: boolean; state: string; says: RegExp }[] = [
      { name: 'ok when the token can push', state: 'ok', says: /can push to acme\/blog/ },
      {
        name: 'error when it cannot push',
        push: false,
        state: 'error',
        says: /can see acme\/blog but cannot push.*"repo" scope.*Contents: read & write/,
      },
      {
        name: 'error on 401',
        response: { status: 401, body: { message: 'Bad credentials' } },
        state: 'error',
        says: /401 Bad credentials.*expired or revoked/,
      },
      {
        name: 'error on 404',
        response: { status: 404, body: { message: 'Not Found' } },
        state: 'error',
        says: /404 for acme\/blog.*does not exist or the token cannot see it/,
      },
    ];
    it.each(cases)('$name', async ({ response, push, state, says }) => {
      if (response) gh.fake.respond('repo', response);
      if (push !== undefined) gh.fake.permissions = { push, pull: true };
      const access = await client().checkAccess();
      expect(access).toMatchObject({ state, checkedAt: expect.any(String) });
      expect(access.message).toMatch(says);
      const [sent] = gh.fake.requests;
      expect(sent).toMatchObject({ method: 'GET', path: '/repos/acme/blog' });
      expect(sent.headers).toMatchObject({
        authorization: `Bearer ${TOKEN}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      });
    });

    it('reuses a fresh result and never waits longer than asked', async () => {
      const github = client();
      await github.access();
      await github.access();
      expect(gh.fake.requests).toHaveLength(1);
      const held = gh.fake.hold('repo');
      const answer = await github.access({ maxAgeMs: 0, waitMs: 50 });
      await held.arrived;
      expect(answer.state).toBe('ok'); // the last known result, while the new check is still open
      held.release({ status: 401, body: { message: 'Bad credentials' } });
      await waitFor('the new check to land', () => github.lastAccess().state === 'error');
    });
  });

  it('on shutdown cancels a running access check but lets a dispatch in flight finish', async () => {
    const github = client({}, { timeoutMs: 30_000 });
    const heldCheck = gh.fake.hold('repo');
    const heldDispatch = gh.fake.hold('dispatch');
    const access = github.checkAccess();
    const dispatched = github.dispatch(REQUEST);
    await Promise.all([heldCheck.arrived, heldDispatch.arrived]);
    github.onApplicationShutdown();
    await expect(access).resolves.toMatchObject({
      state: 'error',
      message: expect.stringMatching(/cancelled because the service is shutting down/),
    });
    heldDispatch.release();
    await expect(dispatched).resolves.toEqual({ kind: 'dispatched' });
    heldCheck.release();
  });

  describe('dry run (no GITHUB_TOKEN)', () => {
    it('sends nothing and logs one curl command that reproduces the real request, token left to the shell', async () => {
      const logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      const dry = client({ GITHUB_TOKEN: undefined });
      await expect(dry.dispatch(REQUEST)).resolves.toEqual({ kind: 'dry-run' });
      await expect(dry.checkAccess()).resolves.toMatchObject({ state: 'dry-run' });
      expect(gh.fake.requests).toEqual([]);

      const lines = logged.mock.calls.map(([message]) => String(message)).filter((m) => m.includes('curl'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).not.toContain('\n');
      expect(lines[0]).toContain('-H "Authorization: Bearer $GITHUB_TOKEN"');
      const curl = lines[0].slice(lines[0].indexOf('curl '));
      // A real shell parses it (curl swapped for printf): the body is byte for byte what a real dispatch sends.
      const words = execFileSync('sh', ['-c', curl.replace(/^curl /, `printf '%s\\0' `)], {
        env: { PATH: process.env.PATH, GITHUB_TOKEN: 'from-shell' },
        encoding: 'utf8',
      }).split('\0');
      expect(words).toContain(`${gh.fake.url}/repos/acme/blog/dispatches`);
      expect(words).toContain('Authorization: Bearer from-shell');
      await client().dispatch(REQUEST);
      expect(JSON.parse(words[words.indexOf('-d') + 1])).toEqual(gh.fake.dispatches()[0].body);
    });
  });

  describe('inside Nest', () => {
    it('checks access at start without holding start-up, and logs one clear error line', async () => {
      const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const held = gh.fake.hold('repo');
      const moduleRef = await Test.createTestingModule({
        imports: [AppConfigModule.forRoot(gh.config()), GithubModule],
      }).compile();
      await moduleRef.init(); // returns while GitHub has not answered yet
      const github = moduleRef.get(GithubClient);
      await held.arrived;
      expect(github.lastAccess().state).toBe('unknown');
      held.release({ status: 401, body: { message: 'Bad credentials' } });
      await waitFor('the access check', () => github.lastAccess().state === 'error');
      const lines = errors.mock.calls.map(([message]) => String(message));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/GitHub access check failed: GitHub rejected the token \(401 Bad credentials\)/);
      expect(lines[0]).not.toContain(TOKEN);
      await moduleRef.close();
    });
  });
});
