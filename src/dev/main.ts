import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { configFromEnvironment, loadDotEnv, serve } from '../main';
import { EMBEDDED_S3_CREDENTIALS, EmbeddedS3 } from './embedded-s3';
import { EmbeddedRedis } from './embedded-redis';

/**
 * `npm run dev`: the whole service on one machine with no configuration. Starts a private redis-server
 * (unless REDIS_URL is set) and an S3-protocol server keeping its data under .data/, then the app.
 * Deploys are dry runs unless GITHUB_TOKEN (or a GitHub App) is set.
 */
async function dev(): Promise<void> {
  const logger = new Logger('Dev');
  loadDotEnv();
  const dataDir = join(process.cwd(), '.data');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  if (!process.env.REDIS_URL) {
    const redis = await EmbeddedRedis.start({ dir: join(dataDir, 'redis') });
    process.on('exit', () => redis.killNow());
    process.env.REDIS_URL = redis.url;
    logger.log(`embedded Redis ${redis.url} (data in .data/redis)`);
  }
  if (!process.env.S3_ENDPOINT) {
    const bucket = (process.env.S3_BUCKET ??= 'blog');
    const s3 = await EmbeddedS3.start({ dir: join(dataDir, 's3'), port: Number(process.env.DEV_S3_PORT ?? 4568), buckets: [bucket] });
    process.env.S3_ENDPOINT = s3.endpoint;
    process.env.AWS_ACCESS_KEY_ID ??= EMBEDDED_S3_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= EMBEDDED_S3_CREDENTIALS.secretAccessKey;
    logger.log(`embedded S3 ${s3.endpoint} bucket "${bucket}" (data in .data/s3)`);
  }
  await serve(configFromEnvironment());
}

dev().catch((error: unknown) => {
  process.stderr.write(`npm run dev failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
