import { Octokit } from '@octokit/rest';
import { generateKeyPairSync } from 'node:crypto';
import { AppInstallationAuth } from './app-installation-auth';
import { GithubDispatchError } from './github.types';

const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const HOUR = 3_600_000;

/** Answers the App's two endpoints like GitHub, minting tokens that expire an hour after the (test) clock. */
function appGithub(clock: () => number) {
  const calls: string[] = [];
  let minted = 0;
  const fetch = (url: string, init: RequestInit): Promise<Response> => {
    const path = new URL(url).pathname;
    calls.push(`${init.method} ${path}`);
    const json = (status: number, body: unknown) =>
      Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
    if (path === '/repos/acme/blog/installation') return json(200, { id: 42 });
    if (path === '/app/installations/42/access_tokens') {
      minted++;
      return json(201, {
        token: `ghs_token${minted}`,
        expires_at: new Date(clock() + HOUR).toISOString(),
        permissions: { contents: 'write' },
        repository_selection: 'selected',
      });
    }
    return json(404, { message: 'Not Found' });
  };
  const quiet = () => undefined;
  return {
    calls,
    octokit: new Octokit({
      baseUrl: 'https://github.test',
      request: { fetch },
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    }),
  };
}

describe('AppInstallationAuth', () => {
  let now: number;
  const clock = () => now;
  function auth(installationId?: number) {
    const github = appGithub(clock);
    const credentials = new AppInstallationAuth({
      app: { appId: '7', privateKey: PRIVATE_KEY, installationId },
      owner: 'acme',
      repo: 'blog',
      appOctokit: github.octokit,
      errorContext: () => ({ repository: 'acme/blog', apiUrl: 'https://github.test', timeoutMs: 1_000, auth: 'app' }),
      clock,
    });
    return { credentials, calls: github.calls };
  }

  beforeEach(() => {
    now = Date.now();
  });

  it('looks the installation up once and keeps a token until 5 minutes before its hour is up', async () => {
    const { credentials, calls } = auth();
    expect(await credentials.authorization()).toEqual({ value: 'Bearer ghs_token1', cached: false });
    now += 54 * 60_000;
    expect(await credentials.authorization()).toEqual({ value: 'Bearer ghs_token1', cached: true });
    now += 60_000;
    expect(await credentials.authorization()).toEqual({ value: 'Bearer ghs_token2', cached: false });
    expect(calls).toEqual([
      'GET /repos/acme/blog/installation',
      'POST /app/installations/42/access_tokens',
      'POST /app/installations/42/access_tokens',
    ]);
    await expect(credentials.token()).resolves.toMatchObject({
      installationId: 42,
      permissions: { contents: 'write' },
      repositorySelection: 'selected',
    });
  });

  it('replaces a rejected token once, and not again when another request already did', async () => {
    const { credentials, calls } = auth(42);
    const first = (await credentials.authorization()).value;
    const [a, b] = await Promise.all([credentials.renewAfterRejection(first), credentials.renewAfterRejection(first)]);
    expect([a, b]).toEqual(['Bearer ghs_token2', 'Bearer ghs_token2']);
    expect(await credentials.renewAfterRejection(first)).toBe('Bearer ghs_token2');
    expect(calls).toEqual(['POST /app/installations/42/access_tokens', 'POST /app/installations/42/access_tokens']);
  });

  it('says which installation does not exist', async () => {
    const { credentials } = auth(99);
    const error = await credentials.authorization().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GithubDispatchError);
    expect((error as Error).message).toMatch(/Installation 99 of the GitHub App 7 does not exist/);
  });
});
