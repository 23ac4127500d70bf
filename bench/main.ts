import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/load-config';
import { EMBEDDED_S3_CREDENTIALS } from '../src/dev/embedded-s3';
import { EmbeddedRedis } from '../src/dev/embedded-redis';
import { S3StorageService } from '../src/storage/s3-storage.service';
import { FakeGithub } from '../test/support/fake-github';
import { makeAuthors, makePosts } from './data';
import { HttpClient } from './lib/http-client';
import { round } from './lib/stats';
import { AppProcess, S3ServerProcess } from './lib/processes';
import { summarizeProfiles } from './profile-summary';
import { BenchResults, machine, ratios, rows, table } from './report';
import { editBurst } from './scenarios/burst';
import { contentListing } from './scenarios/listing';
import { redisRoundTrip } from './scenarios/redis-floor';
import { readLatency } from './scenarios/reads';
import { WritePlan, apiCreate, interleavedWrites, rawPutObject } from './scenarios/writes';

/** Sizes of one run: about 75 s on 2 cores. */
const RUN = {
  posts: 2_000,
  /** Of the posts, per target: warm-up, then one client, then `writeClients` clients; in `rounds` interleaved slices. */
  warmup: 100,
  sequential: 300,
  writeClients: 16,
  rounds: 4,
  authors: 20,
  bodyBytes: 4_000,
  burstEdits: 5_000,
  burstClients: 32,
  debounceMs: 1_000,
  readSamples: 300,
  afterWriteSamples: 20,
};
const API_TOKEN = 'bench-api-token';
const REPO_ROOT = join(__dirname, '..', '..', '..');

const profiling = process.argv.includes('--profile');
const log = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);

process.env.AWS_ACCESS_KEY_ID = EMBEDDED_S3_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = EMBEDDED_S3_CREDENTIALS.secretAccessKey;
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

interface Stack {
  redis: EmbeddedRedis;
  s3: S3ServerProcess;
  github: FakeGithub;
  workDir: string;
}

/** The production configuration (NODE_ENV=production, tokens required), pointed at the benchmark's servers. */
function serviceEnv(stack: Stack, name: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    REDIS_URL: stack.redis.url,
    QUEUE_PREFIX: name,
    S3_BUCKET: name,
    S3_ENDPOINT: stack.s3.endpoint,
    AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    API_TOKENS: API_TOKEN,
    GITHUB_TOKEN: 'bench-github-token',
    GITHUB_REPOSITORY: 'bench/blog',
    GITHUB_API_URL: stack.github.url,
    DEPLOY_DEBOUNCE_MS: String(RUN.debounceMs),
    // Long enough that the whole burst is one quiet window; reconcile/watchdog passes stay out of the run.
    DEPLOY_MAX_WAIT_MS: '600000',
    DEPLOY_RECONCILE_MS: '3600000',
  };
}

async function startService(stack: Stack, name: string, deploysOff: boolean): Promise<{ app: AppProcess; client: HttpClient }> {
  const app = await AppProcess.start({
    env: serviceEnv(stack, name),
    logFile: join(stack.workDir, `${name}.log`),
    deploysOff,
    cpuProfileDir: profiling ? join(stack.workDir, `profile-${name}`) : undefined,
  });
  const client = new HttpClient(app.url, API_TOKEN, 64);
  for (const author of makeAuthors(RUN.authors)) await client.expect(201, 'POST', '/authors', author);
  return { app, client };
}

async function stopService({ app, client }: { app: AppProcess; client: HttpClient }): Promise<void> {
  client.close();
  await app.stop();
}

/** No deploy pending or in flight: the next dispatch belongs to whatever comes next. */
async function deploysSettled(client: HttpClient): Promise<void> {
  for (;;) {
    const { items } = JSON.parse((await client.expect(200, 'GET', '/deploys?limit=5')).body) as { items: { status: string }[] };
    if (!items.some((d) => ['pending', 'dispatching', 'retrying'].includes(d.status))) return;
    await sleep(20);
  }
}

async function run(stack: Stack): Promise<BenchResults> {
  const authorIds = makeAuthors(RUN.authors).map((a) => a.id);
  const posts = makePosts(0, RUN.posts, authorIds, RUN.bodyBytes);
  const plan: WritePlan = {
    warmup: posts.slice(0, RUN.warmup),
    sequential: posts.slice(RUN.warmup, RUN.warmup + RUN.sequential),
    concurrent: posts.slice(RUN.warmup + RUN.sequential),
    concurrency: RUN.writeClients,
    rounds: RUN.rounds,
  };
  const storage = (bucket: string) => new S3StorageService(loadConfig({ S3_BUCKET: bucket, S3_ENDPOINT: stack.s3.endpoint }));

  log('starting the service twice: deploys off and deploys on');
  const off = await startService(stack, 'bench-off', true);
  const on = await startService(stack, 'bench-on', false);
  try {
    const rss = { started: on.app.phasePeakRssMb(), writes: 0, burst: 0, reads: 0 };
    const redisRoundTripMs = await redisRoundTrip(stack.redis.url, 500);
    log(`${posts.length} posts each through raw PutObject, POST /posts with deploys off, and with deploys on (interleaved)`);
    const rawStorage = storage('bench-raw');
    const writes = await interleavedWrites(
      [
        { name: 'raw', write: rawPutObject(rawStorage) },
        { name: 'off', write: apiCreate(off.client) },
        // Its deploy goes out between slices, so the dispatch's S3 listing does not weigh on the next target's slice.
        { name: 'on', write: apiCreate(on.client), afterSlice: () => deploysSettled(on.client) },
      ],
      plan,
    );
    rawStorage.onApplicationShutdown();
    const offPeakRssMb = off.app.peakRssMb();
    await stopService(off);
    rss.writes = on.app.phasePeakRssMb();

    log(`burst of ${RUN.burstEdits} edits from ${RUN.burstClients} clients`);
    const burst = await editBurst(on.client, stack.github, posts.map((p) => p.id), RUN.burstEdits, RUN.burstClients, RUN.debounceMs);
    await deploysSettled(on.client);
    rss.burst = on.app.phasePeakRssMb();
    const onStorage = storage('bench-on');
    const contentListingMs = await contentListing(onStorage, 5);
    onStorage.onApplicationShutdown();

    log('read latency');
    const reads = await readLatency(on.client, { authorId: authorIds[3], tag: 'tag-5', postIds: posts.map((p) => p.id) }, RUN.readSamples, RUN.afterWriteSamples);
    rss.reads = on.app.phasePeakRssMb();
    const peakRssMb = { deploysOn: on.app.peakRssMb(), deploysOff: offPeakRssMb };
    return { raw: writes.raw, deploysOff: writes.off, deploysOn: writes.on, redisRoundTripMs, burst, contentListingMs, reads, peakRssMb, rssByPhaseMb: rss };
  } finally {
    await Promise.allSettled([stopService(off), stopService(on)]);
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const host = machine();
  const workDir = mkdtempSync(join(tmpdir(), 'blog-bench-'));
  const s3Profile = profiling ? join(workDir, 'profile-s3-server') : undefined;
  const [redis, s3, github] = await Promise.all([EmbeddedRedis.start(), S3ServerProcess.start(['bench-raw', 'bench-off', 'bench-on'], s3Profile), FakeGithub.start()]);
  const stack: Stack = { redis, s3, github, workDir };
  process.once('exit', () => {
    redis.killNow();
    s3.killNow();
  });
  try {
    log(`service logs in ${workDir}`);
    const results = await run(stack);
    const all = rows(results, RUN);
    const output = { generatedAt: new Date().toISOString(), durationS: Math.round((Date.now() - startedAt) / 1000), machine: { ...host, loadAverage1mAtEnd: round(loadavg()[0]) }, run: RUN, ratios: ratios(results), results, rows: all };
    process.stdout.write(`\n${table(all)}\n\n${JSON.stringify(output.machine)} · ${output.durationS} s\n`);
    if (profiling) {
      await s3.stop(); // writes its profile
      const summary = summarizeProfiles(workDir);
      process.stdout.write(`\n${summary}\n`);
      writeFileSync(join(REPO_ROOT, 'bench', 'profile-summary.md'), `${summary}\n`);
    } else {
      mkdirSync(join(REPO_ROOT, 'bench'), { recursive: true });
      writeFileSync(join(REPO_ROOT, 'bench', 'results.json'), `${JSON.stringify(output, null, 2)}\n`);
      log('wrote bench/results.json');
    }
  } finally {
    await github.close();
    await Promise.all([redis.stop('SIGKILL'), s3.stop()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
