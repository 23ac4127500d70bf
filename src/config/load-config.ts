import { AppConfig, AppRole, LOG_LEVELS, LogLevel } from './app-config';
import { ConfigError } from './config-error';
import { deployTrigger, githubApp, wantsGithubApp } from './github-config';
import { redisConfig } from './redis-config';

type Env = Record<string, string | undefined>;

const ROLES: readonly AppRole[] = ['api', 'worker', 'all'];
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(env: Env, name: string, fallback: string | undefined, protocols: string[]): string | undefined {
  const raw = text(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw.replace(/\/+$/, '');
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function runs(env: Env): AppConfig['runs'] {
  return {
    track: flag(env, 'DEPLOY_TRACK_RUNS', true),
    timeoutMs: integer(env, 'DEPLOY_RUN_TIMEOUT_MS', 3_600_000, 1_000, 7 * 86_400_000),
    webhookSecret: text(env, 'GITHUB_WEBHOOK_SECRET'),
  };
}

/** The URL is a secret (a Slack or Teams webhook carries its token in the path): no message repeats it. */
function notify(env: Env): AppConfig['notify'] {
  const webhookUrl = text(env, 'NOTIFY_WEBHOOK_URL');
  if (webhookUrl === undefined) return { webhookUrl };
  let protocol: string;
  try {
    protocol = new URL(webhookUrl).protocol;
  } catch {
    throw new ConfigError('NOTIFY_WEBHOOK_URL', 'is not a valid URL');
  }
  if (protocol !== 'https:' && protocol !== 'http:')
    throw new ConfigError('NOTIFY_WEBHOOK_URL', `must use http: or https:, got ${protocol}`);
  return { webhookUrl };
}

function s3Prefix(env: Env): string {
  const raw = text(env, 'S3_PREFIX') ?? '';
  if (raw === '') return '';
  if (raw.startsWith('/') || raw.includes('..') || !/^[A-Za-z0-9!_.*'()/-]+$/.test(raw)) {
    throw new ConfigError('S3_PREFIX', 'may hold only letters, digits and !_.*\'()-/ and must not start with "/"');
  }
  return raw.endsWith('/') ? raw : `${raw}/`;
}

function tokens(env: Env): string[] {
  return (text(env, 'API_TOKENS') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function github(env: Env, production: boolean): AppConfig['github'] {
  const token = text(env, 'GITHUB_TOKEN');
  const appVariables = {
    appId: text(env, 'GITHUB_APP_ID'),
    privateKey: text(env, 'GITHUB_APP_PRIVATE_KEY'),
    privateKeyFile: text(env, 'GITHUB_APP_PRIVATE_KEY_FILE'),
    installationId: text(env, 'GITHUB_APP_INSTALLATION_ID'),
  };
  const repository = text(env, 'GITHUB_REPOSITORY');
  const apiUrl = url(env, 'GITHUB_API_URL', 'https://api.github.com', ['https:', 'http:'])!;
  if (token && wantsGithubApp(appVariables)) {
    throw new ConfigError(
      'GITHUB_TOKEN',
      'is set together with a GitHub App (GITHUB_APP_*): authenticate either with a token or as a GitHub App, not both; unset one of them',
    );
  }
  const app = githubApp(appVariables);
  if (production && !token && !app) {
    throw new ConfigError(
      'GITHUB_TOKEN',
      'is required when NODE_ENV=production, or a GitHub App (GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY): dry run is for development only',
    );
  }
  if ((token || app) && !repository)
    throw new ConfigError(
      'GITHUB_REPOSITORY',
      `is required with ${token ? 'GITHUB_TOKEN' : 'a GitHub App'}, as owner/repo`,
    );
  if (repository && !REPOSITORY.test(repository))
    throw new ConfigError('GITHUB_REPOSITORY', `must be owner/repo, got "${repository}"`);
  const [owner, repo] = repository ? repository.split('/') : [undefined, undefined];
  return { token, app, owner, repo, apiUrl };
}

function logLevel(env: Env): LogLevel {
  const level = (text(env, 'LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return level;
}

/** Parses the environment into a typed config, or throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Env): AppConfig {
  const production = env.NODE_ENV === 'production';
  const role = (text(env, 'APP_ROLE') ?? 'all') as AppRole;
  if (!ROLES.includes(role)) throw new ConfigError('APP_ROLE', `must be one of ${ROLES.join(', ')}, got "${role}"`);

  const bucket = text(env, 'S3_BUCKET');
  if (!bucket) throw new ConfigError('S3_BUCKET', 'is required: the bucket that holds the blog content');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new ConfigError('S3_BUCKET', `is not a valid bucket name: "${bucket}"`);

  const queuePrefix = text(env, 'QUEUE_PREFIX') ?? 'blog';
  if (!/^[A-Za-z0-9_{}:.-]{1,64}$/.test(queuePrefix))
    throw new ConfigError('QUEUE_PREFIX', 'may hold only letters, digits and _{}:.-');

  const redis = redisConfig(env, queuePrefix);

  const eventType = text(env, 'DEPLOY_EVENT_TYPE') ?? 'webhook';
  if (eventType.length > 100) throw new ConfigError('DEPLOY_EVENT_TYPE', 'must be 1 to 100 characters');

  const debounceMs = integer(env, 'DEPLOY_DEBOUNCE_MS', 30_000, 0, 86_400_000);
  const maxWaitMs = integer(env, 'DEPLOY_MAX_WAIT_MS', 300_000, 0, 86_400_000);
  if (maxWaitMs < debounceMs)
    throw new ConfigError('DEPLOY_MAX_WAIT_MS', `must be at least DEPLOY_DEBOUNCE_MS (${debounceMs})`);

  const apiTokens = tokens(env);
  if (production && apiTokens.length === 0) throw new ConfigError('API_TOKENS', 'is required when NODE_ENV=production');

  const username = text(env, 'DASHBOARD_USERNAME');
  const password = text(env, 'DASHBOARD_PASSWORD');
  if (Boolean(username) !== Boolean(password)) {
    throw new ConfigError(
      username ? 'DASHBOARD_PASSWORD' : 'DASHBOARD_USERNAME',
      'DASHBOARD_USERNAME and DASHBOARD_PASSWORD go together',
    );
  }

  return {
    production,
    port: integer(env, 'PORT', 3000, 0, 65_535),
    role,
    redisUrl: redis.urls[0],
    redis,
    queuePrefix,
    s3: {
      bucket,
      region: text(env, 'S3_REGION') ?? 'us-east-1',
      endpoint: url(env, 'S3_ENDPOINT', undefined, ['http:', 'https:']),
      prefix: s3Prefix(env),
    },
    github: github(env, production),
    deploy: {
      trigger: deployTrigger({
        trigger: text(env, 'DEPLOY_TRIGGER'),
        workflow: text(env, 'DEPLOY_WORKFLOW'),
        ref: text(env, 'DEPLOY_REF'),
      }),
      eventType,
      debounceMs,
      maxWaitMs,
      maxAttempts: integer(env, 'DEPLOY_MAX_ATTEMPTS', 8, 1, 100),
      backoffMs: integer(env, 'DEPLOY_BACKOFF_MS', 5_000, 1, 3_600_000),
      reconcileMs: integer(env, 'DEPLOY_RECONCILE_MS', 60_000, 100, 86_400_000),
    },
    runs: runs(env),
    notify: notify(env),
    apiTokens,
    dashboard: username && password ? { username, password } : undefined,
    logLevel: logLevel(env),
  };
}
