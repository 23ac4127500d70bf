import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const minimal = { S3_BUCKET: 'blog-content' };
const production = {
  ...minimal,
  NODE_ENV: 'production',
  API_TOKENS: 'secret-a',
  GITHUB_TOKEN: 'ghp_x',
  GITHUB_REPOSITORY: 'acme/blog',
};

function errorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('applies the documented defaults with only S3_BUCKET set', () => {
    // toMatchObject: variables with defaults checked elsewhere (LOG_LEVEL, say) have their own checks.
    expect(loadConfig(minimal)).toMatchObject({
      production: false,
      port: 3000,
      role: 'all',
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'blog',
      s3: { bucket: 'blog-content', region: 'us-east-1', endpoint: undefined, prefix: '' },
      github: { token: undefined, owner: undefined, repo: undefined, apiUrl: 'https://api.github.com' },
      deploy: {
        eventType: 'webhook',
        debounceMs: 30_000,
        maxWaitMs: 300_000,
        maxAttempts: 8,
        backoffMs: 5_000,
        reconcileMs: 60_000,
      },
      apiTokens: [],
    });
    expect(loadConfig(minimal).dashboard).toBeUndefined();
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...production,
      PORT: '8080',
      APP_ROLE: 'worker',
      REDIS_URL: 'rediss://redis.internal:6380',
      QUEUE_PREFIX: '{blog}',
      S3_REGION: 'eu-west-1',
      S3_ENDPOINT: 'http://minio:9000/',
      S3_PREFIX: 'site/content',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3',
      DEPLOY_EVENT_TYPE: 'publish',
      DEPLOY_DEBOUNCE_MS: '1000',
      DEPLOY_MAX_WAIT_MS: '5000',
      DEPLOY_MAX_ATTEMPTS: '3',
      DEPLOY_BACKOFF_MS: '250',
      DEPLOY_RECONCILE_MS: '9000',
      API_TOKENS: ' one , two ,,',
      DASHBOARD_USERNAME: 'admin',
      DASHBOARD_PASSWORD: 'pw',
    });
    expect(config).toMatchObject({
      production: true,
      port: 8080,
      role: 'worker',
      redisUrl: 'rediss://redis.internal:6380',
      queuePrefix: '{blog}',
      s3: { bucket: 'blog-content', region: 'eu-west-1', endpoint: 'http://minio:9000', prefix: 'site/content/' },
      github: { token: 'ghp_x', owner: 'acme', repo: 'blog', apiUrl: 'https://ghe.example.com/api/v3' },
      deploy: {
        eventType: 'publish',
        debounceMs: 1000,
        maxWaitMs: 5000,
        maxAttempts: 3,
        backoffMs: 250,
        reconcileMs: 9000,
      },
      apiTokens: ['one', 'two'],
      dashboard: { username: 'admin', password: 'pw' },
    });
  });

  it.each([
    ['blog/', 'blog/'],
    ['blog', 'blog/'],
    ['a/b/c', 'a/b/c/'],
    ['  ', ''],
    ['', ''],
  ])('normalises S3_PREFIX %j to %j', (raw, prefix) => {
    expect(loadConfig({ ...minimal, S3_PREFIX: raw }).s3.prefix).toBe(prefix);
  });

  it.each([
    ['S3_BUCKET', { S3_BUCKET: undefined }],
    ['S3_BUCKET', { S3_BUCKET: '' }],
    ['S3_BUCKET', { S3_BUCKET: 'Bad_Bucket' }],
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '80.5' }],
    ['APP_ROLE', { APP_ROLE: 'web' }],
    ['REDIS_URL', { REDIS_URL: 'not a url' }],
    ['REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }],
    ['QUEUE_PREFIX', { QUEUE_PREFIX: 'has space' }],
    ['S3_ENDPOINT', { S3_ENDPOINT: 'minio:9000' }],
    ['S3_ENDPOINT', { S3_ENDPOINT: 'ftp://minio' }],
    ['S3_PREFIX', { S3_PREFIX: '/absolute/' }],
    ['S3_PREFIX', { S3_PREFIX: 'a/../b' }],
    ['S3_PREFIX', { S3_PREFIX: 'with space/' }],
    ['GITHUB_REPOSITORY', { GITHUB_TOKEN: 'ghp_x' }],
    ['GITHUB_REPOSITORY', { GITHUB_TOKEN: 'ghp_x', GITHUB_REPOSITORY: 'just-a-name' }],
    ['GITHUB_REPOSITORY', { GITHUB_REPOSITORY: 'a/b/c' }],
    ['GITHUB_API_URL', { GITHUB_API_URL: 'api.github.com' }],
    ['DEPLOY_EVENT_TYPE', { DEPLOY_EVENT_TYPE: 'x'.repeat(101) }],
    ['DEPLOY_DEBOUNCE_MS', { DEPLOY_DEBOUNCE_MS: 'soon' }],
    ['DEPLOY_MAX_WAIT_MS', { DEPLOY_MAX_WAIT_MS: '10', DEPLOY_DEBOUNCE_MS: '100' }],
    ['DEPLOY_MAX_ATTEMPTS', { DEPLOY_MAX_ATTEMPTS: '0' }],
    ['DEPLOY_BACKOFF_MS', { DEPLOY_BACKOFF_MS: '1e3' }],
    ['DEPLOY_RECONCILE_MS', { DEPLOY_RECONCILE_MS: '5' }],
    ['DASHBOARD_PASSWORD', { DASHBOARD_USERNAME: 'admin' }],
    ['DASHBOARD_USERNAME', { DASHBOARD_PASSWORD: 'pw' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
  ])('refuses a bad %s', (variable, overrides) => {
    const error = errorOf({ ...minimal, ...overrides });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('never repeats a secret in the error line', () => {
    const error = errorOf({ ...minimal, GITHUB_TOKEN: 'ghp_very_secret' });
    expect(error.message).not.toContain('ghp_very_secret');
  });

  describe('in production', () => {
    it('accepts a complete configuration', () => {
      expect(loadConfig(production).production).toBe(true);
    });

    it.each([
      ['API_TOKENS', { API_TOKENS: undefined }],
      ['API_TOKENS', { API_TOKENS: ' , ' }],
      ['GITHUB_TOKEN', { GITHUB_TOKEN: undefined }],
      ['GITHUB_REPOSITORY', { GITHUB_REPOSITORY: undefined }],
    ])('requires %s', (variable, overrides) => {
      expect(errorOf({ ...production, ...overrides }).variable).toBe(variable);
    });
  });

  it('allows a dry run (no GitHub token) and an open API outside production', () => {
    const config = loadConfig({ ...minimal, NODE_ENV: 'development' });
    expect(config.github.token).toBeUndefined();
    expect(config.apiTokens).toEqual([]);
  });
});
