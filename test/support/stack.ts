import { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { backendKind } from './backends/backend-choice';
import { TestRedis, startRedis } from './backends/redis-backend';
import { S3Kind, TestS3, startS3 } from './backends/s3-backend';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface StackOptions {
  /** `moto` for an S3 server that enforces conditional writes like AWS. */
  s3?: S3Kind;
}

/**
 * The real backing services of one test file: a Redis and an S3-protocol server of its own, from containers
 * when the run has a Docker engine, else a private redis-server and the in-process S3 server (see
 * backends/backend-choice.ts). No mocks: the app under test talks to them over the network like in production.
 */
export class TestStack {
  private constructor(
    readonly redis: TestRedis,
    readonly s3: TestS3,
  ) {}

  static async start(options: StackOptions = {}): Promise<TestStack> {
    const kind = backendKind();
    const [redis, s3] = await Promise.allSettled([startRedis(kind), startS3(kind, options.s3)]);
    if (redis.status === 'rejected' || s3.status === 'rejected') {
      await Promise.all([
        redis.status === 'fulfilled' && redis.value.stop('SIGKILL'),
        s3.status === 'fulfilled' && s3.value.stop(),
      ]);
      throw redis.status === 'rejected' ? redis.reason : (s3 as PromiseRejectedResult).reason;
    }
    // Apps started in this process read S3 credentials the way production does: from the environment.
    process.env.AWS_ACCESS_KEY_ID = s3.value.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.value.credentials.secretAccessKey;
    return new TestStack(redis.value, s3.value);
  }

  /** Environment for an app on this stack (spawned or in-process); each call gets a fresh bucket unless one is given. */
  env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      REDIS_URL: this.redis.url,
      S3_ENDPOINT: this.s3.endpoint,
      S3_BUCKET: `test-${randomUUID().slice(0, 8)}`,
      AWS_ACCESS_KEY_ID: this.s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.s3.credentials.secretAccessKey,
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

/** Boots the real app (createApp, as main.ts does) in this process on a free port against `config`, creating its bucket. */
export async function startApp(config: AppConfig): Promise<RunningApp> {
  const app = await createApp({ ...config, port: 0 });
  const { S3StorageService } = await import('../../src/storage/s3-storage.service');
  await app.get(S3StorageService).createBucketIfMissing();
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return { app, config, url, close: () => app.close() };
}
