import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const PKCS1 = KEY.export({ type: 'pkcs1', format: 'pem' }).toString();
const PKCS8 = KEY.export({ type: 'pkcs8', format: 'pem' }).toString();
const base = { S3_BUCKET: 'blog-content', GITHUB_REPOSITORY: 'acme/blog' };
const app = { ...base, GITHUB_APP_ID: '12345', GITHUB_APP_PRIVATE_KEY: PKCS1.replace(/\n/g, '\\n') };

/** loadConfig refuses `env` with one line that starts with `variable` and says `says`. */
function expectRefused(env: Record<string, string | undefined>, variable: string, says = /./): void {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: [^\\n]*${says.source}`));
}

describe('GitHub App variables', () => {
  it('reads the App, with the key in PKCS#8 and no installation id', () => {
    expect(loadConfig(app).github).toEqual({
      token: undefined,
      app: { appId: '12345', privateKey: PKCS8, installationId: undefined },
      owner: 'acme',
      repo: 'blog',
      apiUrl: 'https://api.github.com',
    });
  });

  it('reads the key from GITHUB_APP_PRIVATE_KEY_FILE and the installation id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'app-key-'));
    try {
      writeFileSync(join(dir, 'app.pem'), PKCS1);
      const config = loadConfig({
        ...base,
        GITHUB_APP_ID: 'Iv23liABCDEF',
        GITHUB_APP_PRIVATE_KEY_FILE: join(dir, 'app.pem'),
        GITHUB_APP_INSTALLATION_ID: '777',
      });
      expect(config.github.app).toEqual({ appId: 'Iv23liABCDEF', privateKey: PKCS8, installationId: 777 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets an App stand in for the token in production', () => {
    expect(loadConfig({ ...app, NODE_ENV: 'production', API_TOKENS: 'a' }).github.app?.appId).toBe('12345');
  });

  it.each([
    ['GITHUB_TOKEN', { ...app, GITHUB_TOKEN: 'ghp_secret' }, /together with a GitHub App \(GITHUB_APP_\*\)/],
    [
      'GITHUB_TOKEN',
      { ...base, GITHUB_APP_INSTALLATION_ID: '1', GITHUB_TOKEN: 'ghp_secret' },
      /together with a GitHub App \(GITHUB_APP_\*\)/,
    ],
    ['GITHUB_TOKEN', { ...base, NODE_ENV: 'production', API_TOKENS: 'a' }, /or a GitHub App/],
    ['GITHUB_REPOSITORY', { ...app, GITHUB_REPOSITORY: undefined }, /required with a GitHub App/],
    ['GITHUB_APP_ID', { ...base, GITHUB_APP_PRIVATE_KEY: PKCS1 }, /is required with GITHUB_APP_PRIVATE_KEY/],
    ['GITHUB_APP_ID', { ...app, GITHUB_APP_ID: 'my-app' }, /numeric id/],
    ['GITHUB_APP_PRIVATE_KEY', { ...base, GITHUB_APP_ID: '1' }, /is required with GITHUB_APP_ID/],
    ['GITHUB_APP_PRIVATE_KEY', { ...app, GITHUB_APP_PRIVATE_KEY_FILE: '/x.pem' }, /both set/],
    ['GITHUB_APP_PRIVATE_KEY', { ...app, GITHUB_APP_PRIVATE_KEY: 'secret-but-not-a-key' }, /not a PEM private key/],
    [
      'GITHUB_APP_PRIVATE_KEY_FILE',
      { ...base, GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY_FILE: '/nonexistent/app.pem' },
      /cannot be read \(ENOENT\)/,
    ],
    ['GITHUB_APP_INSTALLATION_ID', { ...app, GITHUB_APP_INSTALLATION_ID: 'abc' }, /must be a number/],
  ])('refuses a bad %s: %j', (variable, env, says) => {
    expectRefused(env, variable, says);
    expect(() => loadConfig(env)).not.toThrow(/ghp_secret|secret-but-not-a-key|MII/);
  });
});

describe('DEPLOY_TRIGGER, DEPLOY_WORKFLOW, DEPLOY_REF', () => {
  it('defaults to repository_dispatch', () => {
    expect(loadConfig(base).deploy.trigger).toEqual({ kind: 'repository_dispatch' });
  });

  it.each([
    [{ DEPLOY_WORKFLOW: 'deploy.yml' }, { kind: 'workflow_dispatch', workflow: 'deploy.yml', ref: undefined }],
    [
      { DEPLOY_WORKFLOW: 'site.yaml', DEPLOY_REF: 'release/2026' },
      { kind: 'workflow_dispatch', workflow: 'site.yaml', ref: 'release/2026' },
    ],
    [{ DEPLOY_WORKFLOW: '161335' }, { kind: 'workflow_dispatch', workflow: '161335', ref: undefined }],
  ])('reads workflow_dispatch %j', (vars, trigger) => {
    expect(loadConfig({ ...base, DEPLOY_TRIGGER: 'workflow_dispatch', ...vars }).deploy.trigger).toEqual(trigger);
  });

  it.each([
    ['DEPLOY_TRIGGER', { DEPLOY_TRIGGER: 'push' }],
    ['DEPLOY_WORKFLOW', { DEPLOY_TRIGGER: 'workflow_dispatch' }],
    ['DEPLOY_WORKFLOW', { DEPLOY_TRIGGER: 'workflow_dispatch', DEPLOY_WORKFLOW: '.github/workflows/deploy.yml' }],
    ['DEPLOY_WORKFLOW', { DEPLOY_TRIGGER: 'workflow_dispatch', DEPLOY_WORKFLOW: 'Deploy blog' }],
    ['DEPLOY_WORKFLOW', { DEPLOY_WORKFLOW: 'deploy.yml' }],
    ['DEPLOY_REF', { DEPLOY_REF: 'main' }],
    ['DEPLOY_REF', { DEPLOY_TRIGGER: 'workflow_dispatch', DEPLOY_WORKFLOW: 'deploy.yml', DEPLOY_REF: 'a..b' }],
    ['DEPLOY_REF', { DEPLOY_TRIGGER: 'workflow_dispatch', DEPLOY_WORKFLOW: 'deploy.yml', DEPLOY_REF: 'has space' }],
  ])('refuses a bad %s: %j', (variable, vars) => {
    expectRefused({ ...base, ...vars }, variable);
  });
});
