import { randomUUID } from 'node:crypto';
import { DirectS3 } from './support/direct-s3';
import { FakeGithub } from './support/fake-github';
import { killAllServices, logsOf, ServiceProcess } from './support/processes';
import { TestRedisCluster } from './support/redis-cluster';
import { accepted, Edit, Editor, payloadOf, productionEnv, uncarried } from './support/resilience';
import { TestStack } from './support/stack';
import { waitFor } from './support/wait-for';

/** The slot `{blog}` hashes to: with QUEUE_PREFIX={blog} every key of the service and of BullMQ lives there. */
const BLOG_SLOT = 7653;

/**
 * The built service on a real three-master Redis Cluster (REDIS_CLUSTER=true, every node a seed): it refuses
 * a configuration that cannot work, coalesces a burst into one dispatch, and keeps every acknowledged edit when
 * the slot holding all its keys moves to another node while edits flow (a reshard, or what a failover does).
 */
describe('Redis Cluster', () => {
  let stack: TestStack;
  let cluster: TestRedisCluster;
  let github: FakeGithub;
  let s3: DirectS3;
  let env: Record<string, string | undefined>;
  let service: ServiceProcess;
  const editor = new Editor();

  beforeAll(async () => {
    [stack, cluster, github] = await Promise.all([TestStack.start(), TestRedisCluster.start(), FakeGithub.start()]);
    const bucket = `cluster-${randomUUID().slice(0, 8)}`;
    s3 = new DirectS3(stack.s3, bucket);
    await s3.createBucket();
    env = productionEnv(stack, github, {
      S3_BUCKET: bucket,
      REDIS_URL: cluster.urls,
      REDIS_CLUSTER: 'true',
      QUEUE_PREFIX: '{blog}',
      DEPLOY_DEBOUNCE_MS: '1000',
      DEPLOY_MAX_WAIT_MS: '8000',
    });
  });

  afterAll(async () => {
    await killAllServices();
    s3?.close();
    await github?.close();
    await cluster?.stop();
    await stack?.stop();
  });

  const refusal = async (overrides: Record<string, string | undefined>): Promise<string> => {
    const { code, stderr } = await ServiceProcess.run({ ...env, ...overrides });
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    return lines[0];
  };

  it('refuses to start in cluster mode with a QUEUE_PREFIX that is not a hash tag', async () => {
    expect(await refusal({ QUEUE_PREFIX: 'blog' })).toMatch(/QUEUE_PREFIX.*hash tag such as \{blog\}/);
  });

  it('refuses to start on a cluster node without REDIS_CLUSTER=true', async () => {
    expect(await refusal({ REDIS_CLUSTER: undefined, REDIS_URL: cluster.nodeUrl(1) })).toMatch(
      /REDIS_CLUSTER.*set REDIS_CLUSTER=true/,
    );
  });

  it('turns a burst of edits into one dispatch', async () => {
    service = await ServiceProcess.start('cluster', env);
    await service.waitForLog(/is the baseline/);
    for (let i = 0; i < 10; i++) await editor.save(service.url, `burst-${i % 4}`, `edit ${i}`);
    expect(editor.acknowledged()).toHaveLength(10);
    const [dispatch] = await waitFor(
      'the dispatch',
      () => (accepted(github).length > 0 ? accepted(github) : undefined),
      20_000,
    );
    expect(payloadOf(dispatch)).toMatchObject({ reason: 'changes', changeCount: 4, editCount: 10 });
    await waitFor('every edit dispatched', () => uncarried(editor.edits, github).length === 0);
    expect(accepted(github)).toHaveLength(1);
  });

  it('loses no edit while the slot of all its keys moves to another node, and writes recover within 5 s', async () => {
    const before = await cluster.ownerOf(BLOG_SLOT);
    const edits: Edit[] = [];
    const moved: { at?: number } = {};
    const writing = (async () => {
      for (let i = 0; i < 80 && (moved.at === undefined || Date.now() < moved.at + 2_000); i++)
        edits.push(await editor.save(service.url, `moving-${i % 6}`, `edit ${i}`));
    })();
    await waitFor('edits flowing', () => edits.length >= 10);
    const start = Date.now();
    // Half of the keys moved, half not: edits keep coming while the slot is split between two nodes.
    const to = await cluster.migrateSlot(BLOG_SLOT, () =>
      waitFor('edits during the migration', () => edits.filter((e) => e.sentAt > start).length >= 10, 20_000),
    );
    moved.at = Date.now();
    const migration = { start, end: moved.at };
    await writing;

    expect(await cluster.ownerOf(BLOG_SLOT)).toBe(to);
    expect(to).not.toBe(before);
    const ok = (e: Edit) => e.status >= 200 && e.status < 300;
    const during = edits.filter((e) => e.sentAt >= migration.start && e.sentAt <= migration.end);
    const firstAfter = edits.find((e) => e.sentAt > migration.end && ok(e));
    const recovered = firstAfter ? firstAfter.ackAt - migration.end : Number.POSITIVE_INFINITY;
    const failing = longestFailure(edits);
    process.stdout.write(
      `[redis-cluster] slot ${BLOG_SLOT} split between two nodes for ${migration.end - migration.start} ms: ${during.length} edits, slowest ${Math.max(...during.map((e) => e.ackAt - e.sentAt))} ms, ` +
        `${edits.filter((e) => !ok(e)).length}/${edits.length} refused (longest failing stretch ${failing} ms); first write after the move acknowledged ${recovered} ms after it\n`,
    );
    expect(failing).toBeLessThan(5_000);
    expect(recovered).toBeLessThan(5_000);
    await waitFor(
      'every acknowledged edit dispatched',
      () => uncarried(editor.edits, github).length === 0,
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${logsOf(service)}`);
    });
  });
});

/** The longest stretch from a refused edit to the next acknowledged one (0 when none was refused). */
function longestFailure(edits: Edit[]): number {
  let longest = 0;
  let failingSince: number | undefined;
  for (const edit of edits) {
    const ok = edit.status >= 200 && edit.status < 300;
    if (!ok && failingSince === undefined) failingSince = edit.sentAt;
    if (ok && failingSince !== undefined) {
      longest = Math.max(longest, edit.ackAt - failingSince);
      failingSince = undefined;
    }
  }
  return failingSince === undefined ? longest : Number.POSITIVE_INFINITY;
}
