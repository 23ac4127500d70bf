import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDED_S3_CREDENTIALS } from '../src/dev/embedded-s3';
import { makeAuthors, makePosts } from './data';
import { round } from './lib/stats';
import { imageNodeOptions } from './lib/processes';
import { summarizeProfiles } from './profile-summary';
import { BenchResults, machine, ratios, table } from './report';
import { rows } from './report-rows';
import { editBurst } from './scenarios/burst';
import { largeListing } from './scenarios/large-listing';
import { contentListing } from './scenarios/listing';
import { redisRoundTrip } from './scenarios/redis-floor';
import { readLatency } from './scenarios/reads';
import { WritePlan } from './scenarios/writes';
import { writesSideBySide } from './scenarios/side-by-side';
import {
  Stack,
  deploysSettled,
  detectedConditionalWrites,
  startServices,
  startStack,
  stopService,
  stopStack,
  storageFor,
} from './stack';

/** Sizes of one run: about three minutes on 2 cores. */
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
  /** Posts in the bucket for the large listing point (the rest added behind the service's back). */
  largeListingPosts: 20_000,
};
const REPO_ROOT = join(__dirname, '..', '..', '..');

const profiling = process.argv.includes('--profile');
const log = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);

process.env.AWS_ACCESS_KEY_ID = EMBEDDED_S3_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = EMBEDDED_S3_CREDENTIALS.secretAccessKey;
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

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
  const common = { debounceMs: RUN.debounceMs, authors: RUN.authors, profiling };
  log(
    'starting the service five times: deploys off, on and on as two instances against the default S3 server, on against moto',
  );
  const { off, on, moto, pair, all: services } = await startServices(stack, common);
  try {
    const rss = { started: on.app.phasePeakRssMb(), writes: 0, burst: 0, reads: 0 };
    const redisRoundTripMs = await redisRoundTrip(stack.redis.url, 500);
    log(`${posts.length} posts each through raw PutObject and POST /posts on both S3 servers (interleaved)`);
    const writes = await writesSideBySide(stack, { off, on, moto, pair }, plan);
    const perSecond = Object.entries(writes).map(([name, w]) => `${name} ${w.concurrent.throughput.toFixed(0)}/s`);
    log(`writes, ${RUN.writeClients} clients: ${perSecond.join(' · ')} (load ${loadavg()[0].toFixed(1)})`);
    const conditionalWrites = {
      default: detectedConditionalWrites(stack, 'bench-on'),
      moto: detectedConditionalWrites(stack, 'bench-moto'),
    };
    const offPeakRssMb = off.app.peakRssMb();
    const motoPeakRssMb = moto.app.peakRssMb();
    await Promise.all([off, moto, ...pair].map(stopService));
    rss.writes = on.app.phasePeakRssMb();

    log(`burst of ${RUN.burstEdits} edits from ${RUN.burstClients} clients`);
    const burst = await editBurst(
      on.client,
      stack.github,
      posts.map((p) => p.id),
      RUN.burstEdits,
      RUN.burstClients,
      RUN.debounceMs,
    );
    await deploysSettled(on.client);
    rss.burst = on.app.phasePeakRssMb();
    const onStorage = storageFor(stack.s3.endpoint, 'bench-on');
    const contentListingMs = await contentListing(onStorage, 5);

    log('read latency');
    const reads = await readLatency(
      on.client,
      { authorId: authorIds[3], tag: 'tag-5', postIds: posts.map((p) => p.id) },
      RUN.readSamples,
      RUN.afterWriteSamples,
    );
    rss.reads = on.app.phasePeakRssMb();
    const peakRssMb = { deploysOn: on.app.peakRssMb(), deploysOff: offPeakRssMb, moto: motoPeakRssMb };

    log(
      `${RUN.largeListingPosts - RUN.posts} more posts straight into the bucket, then the listing over ${RUN.largeListingPosts}`,
    );
    const extra = makePosts(RUN.posts, RUN.largeListingPosts - RUN.posts, authorIds, RUN.bodyBytes);
    const large = await largeListing(
      on.app,
      on.client,
      onStorage,
      extra,
      RUN.largeListingPosts,
      'tag-5',
      RUN.readSamples,
    );
    onStorage.onApplicationShutdown();
    const results = {
      raw: writes.raw,
      rawChecked: writes.rawChecked,
      deploysOff: writes.off,
      deploysOn: writes.on,
      twoInstances: writes.pair,
      rawMoto: writes.rawMoto,
      moto: writes.moto,
      conditionalWrites,
    };
    return { ...results, redisRoundTripMs, burst, contentListingMs, reads, peakRssMb, rssByPhaseMb: rss, large };
  } finally {
    await Promise.allSettled(services.map(stopService));
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const host = machine();
  const workDir = mkdtempSync(join(tmpdir(), 'blog-bench-'));
  const s3Profile = profiling ? join(workDir, 'profile-s3-server') : undefined;
  const stack = await startStack(
    workDir,
    {
      s3: ['bench-raw', 'bench-raw-checked', 'bench-off', 'bench-on', 'bench-pair'],
      moto: ['bench-raw-moto', 'bench-moto'],
    },
    s3Profile,
  );
  process.once('exit', () => {
    stack.redis.killNow();
    stack.s3.killNow();
  });
  try {
    log(`service logs in ${workDir}`);
    const results = await run(stack);
    const all = rows(results, RUN);
    const serviceNodeOptions = process.env.BENCH_NODE_OPTIONS ?? imageNodeOptions();
    const output = {
      generatedAt: new Date().toISOString(),
      durationS: Math.round((Date.now() - startedAt) / 1000),
      machine: { ...host, loadAverage1mAtEnd: round(loadavg()[0]) },
      run: { ...RUN, serviceNodeOptions },
      ratios: ratios(results),
      results,
      rows: all,
    };
    process.stdout.write(
      `\n${table(all)}\n\n${JSON.stringify(output.machine)} · service NODE_OPTIONS ${serviceNodeOptions} · ${output.durationS} s\n`,
    );
    if (profiling) {
      await stack.s3.stop(); // writes its profile
      const summary = summarizeProfiles(workDir);
      process.stdout.write(`\n${summary}\n`);
      writeFileSync(join(REPO_ROOT, 'bench', 'profile-summary.md'), `${summary}\n`);
    } else {
      // Not committed (.gitignore): a run leaves the working tree clean; docs/performance.md keeps a table.
      mkdirSync(join(REPO_ROOT, 'bench'), { recursive: true });
      writeFileSync(join(REPO_ROOT, 'bench', 'results.json'), `${JSON.stringify(output, null, 2)}\n`);
      log('wrote bench/results.json');
    }
  } finally {
    await stopStack(stack);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
