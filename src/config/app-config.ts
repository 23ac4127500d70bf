/** Typed configuration, parsed and validated once at start from the environment (contract §2). */
export type AppRole = 'api' | 'worker' | 'all';

/** pino's levels; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface GithubConfig {
  /** Unset means dry run: deploys are recorded and logged, never sent. */
  token?: string;
  owner?: string;
  repo?: string;
  apiUrl: string;
}

export interface DeployConfig {
  eventType: string;
  debounceMs: number;
  maxWaitMs: number;
  maxAttempts: number;
  backoffMs: number;
  reconcileMs: number;
}

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
  redisUrl: string;
  queuePrefix: string;
  s3: { bucket: string; region: string; endpoint?: string; prefix: string };
  github: GithubConfig;
  deploy: DeployConfig;
  runs: RunsConfig;
  notify: NotifyConfig;
  /** Empty means the API is open (refused in production). */
  apiTokens: string[];
  dashboard?: { username: string; password: string };
  /** LOG_LEVEL (not in the contract's table: an addition), default info. */
  logLevel: LogLevel;
}

/** Injection token for the parsed config; the AppConfig interface itself is erased at runtime. */
export const APP_CONFIG = Symbol('APP_CONFIG');
