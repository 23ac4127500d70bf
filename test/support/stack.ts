import { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { EMBEDDED_S3_CREDENTIALS, EmbeddedS3 } from '../../src/dev/embedded-s3';
import { EmbeddedRedis } from '../../src/dev/embedded-redis';

process.env.AWS_ACCESS_KEY_ID = EMBEDDED_S3_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = EMBEDDED_S3_CREDENTIALS.secretAccessKey;
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * The real backing services of one test file: a private redis-server on a free port and an in-process
 * S3-protocol server. No mocks: the app under test talks to them over the network like in production.
 */
export class TestStack {
  private constructor(
    readonly redis: EmbeddedRedis,
    readonly s3: EmbeddedS3,
  ) {}

  static async start(): Promise<TestStack> {
    const [redis, s3] = await Promise.all([EmbeddedRedis.start(), EmbeddedS3.start()]);
    return new TestStack(redis, s3);
  }

  /** Environment for an app on this stack; each call gets a fresh bucket unless one is given. */
  env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      REDIS_URL: this.redis.url,
      S3_ENDPOINT: this.s3.endpoint,
      S3_BUCKET: `test-${randomUUID().slice(0, 8)}`,
      DEPLOY_DEBOUNCE_MS: '200',
      DEPLOY_MAX_WAIT_MS: '2000',
      DEPLOY_BACKOFF_MS: '100',
      // Quiet tests; `LOG_LEVEL=debug npx jest ...` shows every line of the apps under test.
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      ...overrides,
    };
  }

  config(overrides: Record<string, string | undefined> = {}): AppConfig {
    return loadConfig(this.env(overrides));
  }

  async stop(): Promise<void> {
    await Promise.all([this.redis.stop('SIGKILL'), this.s3.stop()]);
  }
}

export interface RunningApp {
  app: NestExpressApplication;
  config: AppConfig;
  url: string;
  close(): Promise<void>;
}

/** Boots the real app (createApp, as main.ts does) on a free port against `config`, creating its bucket. */
export async function startApp(config: AppConfig): Promise<RunningApp> {
  const app = await createApp({ ...config, port: 0 });
  const { S3StorageService } = await import('../../src/storage/s3-storage.service');
  await app.get(S3StorageService).createBucketIfMissing();
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return { app, config, url, close: () => app.close() };
}
