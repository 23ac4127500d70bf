import { Logger } from '@nestjs/common';
import { dispatchFailure, githubClients, SAMPLE_DISPATCH } from './support/github-client-fixtures';
import { FakeGithubApp } from './support/fake-github-app';
import { waitFor } from './support/wait-for';

const REQUEST = SAMPLE_DISPATCH;

/** GithubClient authenticating as a GitHub App against the fake GitHub, which checks JWTs and installation tokens. */
describe('GithubClient as a GitHub App', () => {
  let app: FakeGithubApp;
  let logged: string[];
  const gh = githubClients(
    (fake) => ({ S3_BUCKET: 'github-app-e2e', GITHUB_REPOSITORY: 'acme/blog', GITHUB_API_URL: fake.url, ...app.env() }),
    { timeoutMs: 2_000 },
  );
  const client = gh.client.bind(gh);
  const routes = () => gh.fake.requests.map((r) => `${r.route} ${r.status ?? '-'}`);

  beforeEach(() => {
    app = new FakeGithubApp();
    gh.fake.app = app;
    logged = [];
    const keep = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    for (const level of ['log', 'warn', 'error', 'debug'] as const)
      jest.spyOn(Logger.prototype, level).mockImplementation(keep);
  });
  afterEach(() => {
    // Nothing the service logs ever carries the key, a JWT or an installation token.
    const output = logged.join('\n');
    for (const token of app.minted) expect(output).not.toContain(token);
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+|PRIVATE KEY|ghs_/);
  });

  it('finds the installation with a verified JWT, mints one token and dispatches with it', async () => {
    const github = client();
    await expect(github.dispatch(REQUEST)).resolves.toEqual({ kind: 'dispatched' });
    await expect(github.dispatch(REQUEST)).resolves.toEqual({ kind: 'dispatched' });
    expect(routes()).toEqual(['installation 200', 'access-tokens 201', 'dispatch 204', 'dispatch 204']);
    expect(gh.fake.requests[1].path).toBe(`/app/installations/${app.installationId}/access_tokens`);
    expect(app.minted).toHaveLength(1);
    for (const sent of gh.fake.dispatches()) expect(sent.headers.authorization).toBe(`Bearer ${app.latestToken()}`);
    const [claims] = app.jwts;
    expect(claims.iss).toBe(String(app.appId));
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(600);
  });

  it('mints one token for concurrent first requests', async () => {
    const github = client();
    await Promise.all([github.dispatch(REQUEST), github.dispatch(REQUEST), github.checkAccess()]);
    expect(app.minted).toHaveLength(1);
    expect(gh.fake.requests.filter((r) => r.route === 'installation')).toHaveLength(1);
  });

  it('uses GITHUB_APP_INSTALLATION_ID without looking the installation up', async () => {
    await client({ GITHUB_APP_INSTALLATION_ID: String(app.installationId) }).dispatch(REQUEST);
    expect(routes()).toEqual(['access-tokens 201', 'dispatch 204']);
  });

  it('renews the token before it expires, without a rejected request', async () => {
    app.tokenLifetimeMs = 1_500;
    const github = client();
    await github.dispatch(REQUEST);
    const first = app.latestToken()!;
    await waitFor('the first token to expire', () => Date.now() >= app.expiryOf(first)!, 5_000);
    await github.dispatch(REQUEST);
    expect(app.minted).toHaveLength(2);
    expect(gh.fake.dispatches().map((d) => [d.status, d.headers.authorization])).toEqual([
      [204, `Bearer ${first}`],
      [204, `Bearer ${app.latestToken()}`],
    ]);
  });

  it('recovers a revoked token with one new one, then keeps using it', async () => {
    const github = client();
    await github.dispatch(REQUEST);
    app.revoke(app.latestToken()!);
    await expect(github.dispatch(REQUEST)).resolves.toEqual({ kind: 'dispatched' });
    await github.dispatch(REQUEST);
    expect(routes()).toEqual([
      'installation 200',
      'access-tokens 201',
      'dispatch 204',
      'dispatch 401',
      'access-tokens 201',
      'dispatch 204',
      'dispatch 204',
    ]);
  });

  it('fails after one re-mint when the new token is refused too, saying what to check', async () => {
    const github = client();
    await github.dispatch(REQUEST);
    app.revoke(app.latestToken()!);
    app.tokenLifetimeMs = 0; // every new token is refused as well
    const error = await dispatchFailure(github.dispatch(REQUEST));
    expect(error).toMatchObject({ retryable: false, status: 401 });
    expect(error.message).toMatch(
      /rejected the GitHub App's installation token \(401\) although it was freshly minted.*uninstalled from acme\/blog or suspended/,
    );
    expect(gh.fake.dispatches().map((d) => d.status)).toEqual([204, 401, 401]);
    expect(app.minted).toHaveLength(2);
  });

  describe('the access check (start-up and /health/ready)', () => {
    it('is ok when the installation includes the repository with the permissions needed', async () => {
      const access = await client().checkAccess();
      expect(access).toMatchObject({ state: 'ok' });
      expect(access.message).toBe(
        `The GitHub App's installation ${app.installationId} includes acme/blog with Contents: read & write (repository_dispatch) and Actions: read (following runs, DEPLOY_TRACK_RUNS): deploys can be dispatched.`,
      );
    });

    const cases: { name: string; arrange: (app: FakeGithubApp) => Record<string, string>; says: RegExp }[] = [
      {
        name: 'the App is not installed on the repository',
        arrange: (a) => ((a.repositories = new Set(['acme/other'])), {}),
        says: /GitHub App 31337 is not installed on acme\/blog.*Install App/,
      },
      {
        name: 'the given installation does not include the repository',
        arrange: (a) => (
          (a.repositories = new Set(['acme/other'])),
          { GITHUB_APP_INSTALLATION_ID: String(a.installationId) }
        ),
        says: /404 for acme\/blog: the repository does not exist or the GitHub App's installation does not include it/,
      },
      {
        name: 'the installation id is wrong',
        arrange: () => ({ GITHUB_APP_INSTALLATION_ID: '999' }),
        says: /Installation 999 of the GitHub App 31337 does not exist.*GITHUB_APP_INSTALLATION_ID/,
      },
      {
        name: 'the App id does not match the key',
        arrange: () => ({ GITHUB_APP_ID: '424242' }),
        says: /rejected the GitHub App's JWT \(401.*GITHUB_APP_ID 424242 does not belong to this private key/,
      },
      {
        name: 'Contents is read-only (repository_dispatch)',
        arrange: (a) => ((a.permissions = { metadata: 'read', contents: 'read', actions: 'read' }), {}),
        says: /installation 4242 on acme\/blog lacks Contents: read & write \(repository_dispatch\), so deploys will be refused.*Permissions & events/,
      },
      {
        name: 'Actions cannot be read (run tracking)',
        arrange: (a) => ((a.permissions = { metadata: 'read', contents: 'write' }), {}),
        says: /lacks Actions: read \(following runs, DEPLOY_TRACK_RUNS\)/,
      },
      {
        name: 'Actions is read-only (workflow_dispatch)',
        arrange: (a) => (
          (a.permissions = { metadata: 'read', contents: 'write', actions: 'read' }),
          { DEPLOY_TRIGGER: 'workflow_dispatch', DEPLOY_WORKFLOW: 'deploy.yml' }
        ),
        says: /lacks Actions: read & write \(workflow_dispatch\)/,
      },
    ];
    it.each(cases)('says so when $name', async ({ arrange, says }) => {
      const access = await client(arrange(app)).checkAccess();
      expect(access.state).toBe('error');
      expect(access.message).toMatch(says);
    });
  });
});
