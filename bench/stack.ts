import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/load-config';
import { EMBEDDED_S3_CREDENTIALS } from '../src/dev/embedded-s3';
import { EmbeddedRedis } from '../src/dev/embedded-redis';
import { S3StorageService } from '../src/storage/s3-storage.service';
import { startMoto } from '../test/support/backends/moto';
import type { TestS3 } from '../test/support/backends/s3-backend';
import { FakeGithub } from '../test/support/fake-github';
import { makeAuthors } from './data';
import { HttpClient } from './lib/http-client';
import { AppProcess, S3ServerProcess } from './lib/processes';

export const API_TOKEN = 'bench-api-token';

/** Every server the benchmark runs against: one Redis, two S3 servers side by side, the fake GitHub. */
export interface Stack {
  redis: EmbeddedRedis;
  /** The default S3-protocol server (s3rver, own process): ignores If-Match / If-None-Match. */
  s3: S3ServerProcess;
  /** moto's S3 server: enforces conditional writes as AWS does. */
  moto: TestS3;
  github: FakeGithub;
  workDir: string;
}

export interface Service {
  app: AppProcess;
  client: HttpClient;
}

/** The storage class of the service pointed at `bucket` on `endpoint`: raw PutObject and seeding go through it. */
export function storageFor(endpoint: string, bucket: string): S3StorageService {
  return new S3StorageService(loadConfig({ S3_BUCKET: bucket, S3_ENDPOINT: endpoint }));
}

export async function startStack(
  workDir: string,
  buckets: { s3: string[]; moto: string[] },
  s3ProfileDir?: string,
): Promise<Stack> {
  const [redis, s3, moto, github] = await Promise.all([
    EmbeddedRedis.start(),
    S3ServerProcess.start(buckets.s3, s3ProfileDir),
    startMoto({ atomic: false }),
    FakeGithub.start(),
  ]);
  for (const bucket of buckets.moto) {
    const storage = storageFor(moto.endpoint, bucket);
    await storage.createBucketIfMissing();
    storage.onApplicationShutdown();
  }
  return { redis, s3, moto, github, workDir };
}

export async function stopStack(stack: Stack): Promise<void> {
  await stack.github.close();
  await Promise.all([stack.redis.stop('SIGKILL'), stack.s3.stop(), stack.moto.stop()]);
}

/** The production configuration (NODE_ENV=production, tokens required), pointed at the benchmark's servers. */
function serviceEnv(stack: Stack, name: string, s3Endpoint: string, debounceMs: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    REDIS_URL: stack.redis.url,
    QUEUE_PREFIX: name,
    S3_BUCKET: name,
    S3_ENDPOINT: s3Endpoint,
    AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    API_TOKENS: API_TOKEN,
    GITHUB_TOKEN: 'bench-github-token',
    GITHUB_REPOSITORY: 'bench/blog',
    GITHUB_API_URL: stack.github.url,
    DEPLOY_DEBOUNCE_MS: String(debounceMs),
    // Long enough that the whole burst is one quiet window; reconcile/watchdog passes stay out of the run.
    DEPLOY_MAX_WAIT_MS: '600000',
    DEPLOY_RECONCILE_MS: '3600000',
  };
}

export interface ServiceOptions {
  /** Also the bucket and the queue prefix. */
  name: string;
  /** Names its log file when several instances share `name` (default: `name`). */
  instance?: string;
  /** Create the benchmark's authors through it (default: true; a second instance on the same bucket must not). */
  seedAuthors?: boolean;
  s3Endpoint: string;
  deploysOff: boolean;
  debounceMs: number;
  authors: number;
  profiling: boolean;
}

/** `node dist/main.js` on the stack, with the benchmark's authors created through the API. */
export async function startService(stack: Stack, options: ServiceOptions): Promise<Service> {
  const { name } = options;
  const instance = options.instance ?? name;
  const app = await AppProcess.start({
    env: serviceEnv(stack, name, options.s3Endpoint, options.debounceMs),
    logFile: join(stack.workDir, `${instance}.log`),
    heapFile: join(stack.workDir, `${instance}.heap.json`),
    deploysOff: options.deploysOff,
    cpuProfileDir: options.profiling ? join(stack.workDir, `profile-${instance}`) : undefined,
  });
  const client = new HttpClient(app.url, API_TOKEN, 64);
  if (options.seedAuthors !== false)
    for (const author of makeAuthors(options.authors)) await client.expect(201, 'POST', '/authors', author);
  return { app, client };
}

export interface BenchServices {
  off: Service;
  on: Service;
  moto: Service;
  pair: [Service, Service];
  all: Service[];
}

/**
 * The services of a run: deploys off, deploys on, and deploys on as two instances sharing one bucket and one
 * Redis, against the default S3 server; deploys on against moto. If one fails to start, those started are stopped.
 */
export async function startServices(
  stack: Stack,
  common: Pick<ServiceOptions, 'debounceMs' | 'authors' | 'profiling'>,
): Promise<BenchServices> {
  const all: Service[] = [];
  const start = async (options: Omit<ServiceOptions, keyof typeof common>): Promise<Service> => {
    const service = await startService(stack, { ...options, ...common });
    all.push(service);
    return service;
  };
  const s3Endpoint = stack.s3.endpoint;
  try {
    const off = await start({ name: 'bench-off', s3Endpoint, deploysOff: true });
    const on = await start({ name: 'bench-on', s3Endpoint, deploysOff: false });
    const moto = await start({ name: 'bench-moto', s3Endpoint: stack.moto.endpoint, deploysOff: false });
    const pair: [Service, Service] = [
      await start({ name: 'bench-pair', s3Endpoint, deploysOff: false }),
      await start({ name: 'bench-pair', instance: 'bench-pair-b', seedAuthors: false, s3Endpoint, deploysOff: false }),
    ];
    return { off, on, moto, pair, all };
  } catch (error) {
    await Promise.allSettled(all.map(stopService));
    throw error;
  }
}

export async function stopService({ app, client }: Service): Promise<void> {
  client.close();
  await app.stop();
}

/** No deploy pending or in flight: the next dispatch belongs to whatever comes next. */
export async function deploysSettled(client: HttpClient): Promise<void> {
  for (;;) {
    const { items } = JSON.parse((await client.expect(200, 'GET', '/deploys?limit=5')).body) as {
      items: { status: string }[];
    };
    if (!items.some((d) => ['pending', 'dispatching', 'retrying'].includes(d.status))) return;
    await sleep(20);
  }
}

/** What the service said at start about the S3 server's conditional writes (its log line). */
export function detectedConditionalWrites(stack: Stack, name: string): boolean | null {
  const logText = readFileSync(join(stack.workDir, `${name}.log`), 'utf-8');
  if (logText.includes('S3 enforces conditional writes')) return true;
  return logText.includes('S3 ignores If-Match') ? false : null;
}
