import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { configFromEnvironment, loadDotEnv, serve } from '../main';
import { EMBEDDED_S3_CREDENTIALS, EmbeddedS3 } from './embedded-s3';
import { EmbeddedRedis } from './embedded-redis';
import { portTaken } from './free-port';

/** The embedded S3 server's port unless DEV_S3_PORT says otherwise: fixed, so other tools (aws s3 --endpoint-url) find it. */
const DEFAULT_S3_PORT = 4568;

function portFrom(variable: string, fallback: number): number {
  const text = process.env[variable];
  const port = text === undefined || text === '' ? fallback : Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${variable} must be a port number (1-65535), not "${text}"`);
  return port;
}

async function requireFree(port: number, what: string, variable: string): Promise<void> {
  if (await portTaken(port)) {
    throw new Error(
      `port ${port} (${what}) is taken, perhaps by another \`npm run dev\`: stop it, or set ${variable} to a free port`,
    );
  }
}

/**
 * `npm run dev`: the whole service on one machine with no configuration. Starts an S3-protocol server and a
 * private redis-server (unless S3_ENDPOINT / REDIS_URL are set), both keeping their data under .data/
 * (DEV_DATA_DIR), then the app. Deploys are dry runs unless GITHUB_TOKEN (or a GitHub App) is set.
 *
 * Stopping (Ctrl-C, or SIGTERM to npm, which forwards it): the app shuts down first, then its Redis and S3,
 * so it never sees them vanish mid-shutdown. redis-server runs in its own process group for that reason:
 * the terminal's Ctrl-C reaches only npm and this process.
 */
async function dev(): Promise<void> {
  const logger = new Logger('Dev');
  loadDotEnv();
  const dataDir = process.env.DEV_DATA_DIR || join(process.cwd(), '.data');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Checked before anything starts, so a second `npm run dev` changes nothing of the first one's data.
  await requireFree(portFrom('PORT', 3000), 'the API', 'PORT');
  const s3Port = portFrom('DEV_S3_PORT', DEFAULT_S3_PORT);
  if (!process.env.S3_ENDPOINT) await requireFree(s3Port, 'the embedded S3 server', 'DEV_S3_PORT');

  const backends: { stop(): Promise<void> }[] = [];
  const stopBackends = async () => {
    for (const backend of backends.reverse()) await backend.stop().catch(() => undefined);
  };
  try {
    if (!process.env.S3_ENDPOINT) {
      const bucket = (process.env.S3_BUCKET ??= 'blog');
      const s3 = await EmbeddedS3.start({ dir: join(dataDir, 's3'), port: s3Port, buckets: [bucket] });
      backends.push(s3);
      process.env.S3_ENDPOINT = s3.endpoint;
      process.env.AWS_ACCESS_KEY_ID ??= EMBEDDED_S3_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY ??= EMBEDDED_S3_CREDENTIALS.secretAccessKey;
      logger.log(
        `embedded S3 ${s3.endpoint} bucket "${bucket}" (data in ${join(dataDir, 's3')}; DEV_S3_PORT moves it)`,
      );
    }
    if (!process.env.REDIS_URL) {
      const redis = await EmbeddedRedis.start({ dir: join(dataDir, 'redis'), ownProcessGroup: true });
      backends.push(redis);
      // Last resort when the process dies another way (an uncaught error): never leave redis-server behind.
      process.on('exit', () => redis.killNow());
      process.env.REDIS_URL = redis.url;
      logger.log(`embedded Redis ${redis.url} (data in ${join(dataDir, 'redis')})`);
    }
    await serve(configFromEnvironment(), {
      repeatGraceMs: 1_000,
      exit: (code) => void stopBackends().finally(() => process.exit(code)),
    });
  } catch (error) {
    await stopBackends();
    throw error;
  }
}

dev().catch((error: unknown) => {
  process.stderr.write(`npm run dev: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
