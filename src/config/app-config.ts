import type { RedisConfig } from './redis-config';

/** Typed configuration, parsed and validated once at start from the environment. */
export type AppRole = 'api' | 'worker' | 'all';

/** pino's levels; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface GithubConfig {
  /** Neither a token nor an App means dry run: deploys are recorded and logged, never sent. */
  token?: string;
  /** Authenticate as a GitHub App (never together with `token`). */
  app?: GithubAppConfig;
  owner?: string;
  repo?: string;
  apiUrl: string;
}

export interface GithubAppConfig {
  /** GITHUB_APP_ID: the App's numeric id (or its client id), the JWT's `iss`. */
  appId: string;
  /** The App's private key as PKCS#8 PEM, checked at start. A secret: never logged. */
  privateKey: string;
  /** GITHUB_APP_INSTALLATION_ID; unset = looked up from GITHUB_REPOSITORY. */
  installationId?: number;
}

/** How a deploy starts the blog's workflow (DEPLOY_TRIGGER). */
export type DeployTrigger =
  | { kind: 'repository_dispatch' }
  /** `workflow`: DEPLOY_WORKFLOW, a file name or numeric id; `ref`: DEPLOY_REF, unset = the default branch. */
  | { kind: 'workflow_dispatch'; workflow: string; ref?: string };

export interface DeployConfig {
  trigger: DeployTrigger;
  eventType: string;
  debounceMs: number;
  maxWaitMs: number;
  maxAttempts: number;
  backoffMs: number;
  reconcileMs: number;
}

export type { RedisConfig } from './redis-config';

/** Following the GitHub Actions run each dispatch starts (src/runs). */
export interface RunsConfig {
  /** DEPLOY_TRACK_RUNS, default true. */
  track: boolean;
  /** DEPLOY_RUN_TIMEOUT_MS: stop following a run after this long. */
  timeoutMs: number;
  /** GITHUB_WEBHOOK_SECRET: enables POST /webhooks/github. A secret: never logged. */
  webhookSecret?: string;
}

export interface NotifyConfig {
  /** NOTIFY_WEBHOOK_URL: where deploy notices are POSTed. A secret (it carries a token): never logged. */
  webhookUrl?: string;
}

export interface AppConfig {
  production: boolean;
  port: number;
  role: AppRole;
  /** The first of `redis.urls`, for messages. */
  redisUrl: string;
  redis: RedisConfig;
  queuePrefix: string;
  s3: { bucket: string; region: string; endpoint?: string; prefix: string };
  github: GithubConfig;
  deploy: DeployConfig;
  runs: RunsConfig;
  notify: NotifyConfig;
  /** Empty means the API is open (refused in production). */
  apiTokens: string[];
  dashboard?: { username: string; password: string };
  /** LOG_LEVEL, default info. */
  logLevel: LogLevel;
}

/** Injection token for the parsed config; the AppConfig interface itself is erased at runtime. */
export const APP_CONFIG = Symbol('APP_CONFIG');
