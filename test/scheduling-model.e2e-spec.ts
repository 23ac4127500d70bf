import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { Post } from '../src/posts/post';
import { logsOf, ServiceProcess } from './support/processes';
import {
  inMsWithOffset,
  publicationsOf,
  sendAuthorized,
  SharedBackends,
  startSharedBackends,
  stopSharedBackends,
} from './support/scheduling';
import { waitFor } from './support/wait-for';

type Op =
  | { kind: 'schedule'; inMs: number }
  | { kind: 'reschedule'; target: number; inMs: number }
  | { kind: 'edit'; target: number }
  | { kind: 'unschedule'; target: number }
  | { kind: 'delete'; target: number }
  | { kind: 'crash' }
  | { kind: 'pause'; ms: number };

const target = fc.nat(9);
const soon = fc.integer({ min: 300, max: 2_500 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('schedule' as const), inMs: soon }), weight: 3 },
  fc.record({ kind: fc.constant('reschedule' as const), target, inMs: soon }),
  fc.record({ kind: fc.constant('edit' as const), target }),
  fc.record({ kind: fc.constant('unschedule' as const), target }),
  fc.record({ kind: fc.constant('delete' as const), target }),
  fc.record({ kind: fc.constant('crash' as const) }),
  fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 800 }) }),
);

/** What the last acknowledged write left a post as (the API's answer), or that it was deleted. */
type Outcome = { kind: 'written'; post: Post } | { kind: 'deleted' };

/**
 * A property over random interleavings of schedule, reschedule, edit, unschedule, delete, worker crash
 * (SIGKILL, restarted by the next crash step or at the end) and pauses, against an api and a worker instance
 * of the built service: no post is published twice, none after it was cancelled, and none is missed.
 */
describe('scheduled publishing: random interleavings (fast-check)', () => {
  let backends: SharedBackends;
  let api: ServiceProcess;
  let worker: ServiceProcess | undefined;
  const workers: ServiceProcess[] = [];
  let run = 0;
  /** The latest publishAt any step asked for, in this run. */
  let latestAsked = 0;
  const tally = { published: 0, cancelled: 0, deleted: 0, crashes: 0 };

  const startWorker = async () => {
    worker = await ServiceProcess.start(
      `worker-${workers.length}`,
      { ...backends.env, APP_ROLE: 'worker' },
      { timeoutMs: 60_000 },
    );
    workers.push(worker);
  };
  const send = (method: string, path: string, body?: object) => sendAuthorized(api.url, method, path, body);
  const publications = (id: string) => publicationsOf(workers, id);
  const stored = (id: string) => backends.s3.readJson<Post>(`posts/${id}.json`);

  beforeAll(async () => {
    backends = await startSharedBackends('model', { DEPLOY_RECONCILE_MS: '500' });
    api = await ServiceProcess.start('api', { ...backends.env, APP_ROLE: 'api' }, { timeoutMs: 60_000 });
    await startWorker();
    expect((await send('POST', '/authors', { id: 'ann', name: 'Ann' })).status).toBe(201);
  }, 180_000); // several service starts: slow on a loaded machine

  afterAll(async () => {
    process.stdout.write(
      `[scheduling-model] ${run} runs: ${tally.published} posts published once, ${tally.cancelled} cancelled and never published, ${tally.deleted} deleted and not resurrected, ${tally.crashes} worker crashes\n`,
    );
    await stopSharedBackends(backends);
  });

  async function apply(step: Op, ids: string[], outcomes: Map<string, Outcome>): Promise<void> {
    const record = (id: string, res: { status: number; post?: Post }) =>
      res.post && outcomes.set(id, { kind: 'written', post: res.post });
    if (step.kind === 'pause') return void (await new Promise((resolve) => setTimeout(resolve, step.ms)));
    if (step.kind === 'crash') {
      if (worker?.alive) tally.crashes++;
      if (worker?.alive) await worker.kill('SIGKILL');
      else await startWorker();
      return;
    }
    if ('inMs' in step) latestAsked = Math.max(latestAsked, Date.now() + step.inMs);
    if (step.kind === 'schedule') {
      const id = `m${run}-${ids.length}`;
      ids.push(id);
      const res = await send('POST', '/posts', {
        id,
        title: `Post ${id}`,
        body: 'b',
        authorIds: ['ann'],
        status: 'scheduled',
        publishAt: inMsWithOffset(step.inMs),
      });
      expect(res.status).toBe(201);
      return void record(id, res);
    }
    if (ids.length === 0) return;
    const id = ids[step.target % ids.length];
    if (step.kind === 'delete') {
      if ((await send('DELETE', `/posts/${id}`)).status === 204) outcomes.set(id, { kind: 'deleted' });
      return;
    }
    const patch =
      step.kind === 'reschedule'
        ? { publishAt: inMsWithOffset(step.inMs) }
        : step.kind === 'edit'
          ? { title: `Edited ${randomUUID()}` }
          : { status: 'draft' };
    record(id, await send('PATCH', `/posts/${id}`, patch));
  }

  /**
   * Waits until every job and catch-up pass that could act on this run's posts has run: a sentinel post
   * scheduled after the latest publishAt any step asked for (by more than a catch-up interval) is published.
   */
  async function settle(): Promise<void> {
    if (!worker?.alive) await startWorker();
    const id = `m${run}-sentinel`;
    const inMs = Math.max(latestAsked - Date.now(), 0) + 700;
    expect(
      (
        await send('POST', '/posts', {
          id,
          title: 'Sentinel',
          body: 'b',
          authorIds: ['ann'],
          status: 'scheduled',
          publishAt: inMsWithOffset(inMs),
        })
      ).status,
    ).toBe(201);
    await waitFor('the sentinel to be published', async () => (await stored(id))?.status === 'published', 30_000);
  }

  async function check(ids: string[], outcomes: Map<string, Outcome>): Promise<void> {
    for (const id of ids) {
      const outcome = outcomes.get(id)!;
      expect(publications(id)).toBeLessThanOrEqual(1);
      if (outcome.kind === 'deleted') {
        expect(await stored(id)).toBeNull();
        tally.deleted++;
        continue;
      }
      const { post } = outcome;
      if (post.status === 'scheduled') {
        // Never missed: published, with its last publishAt, once.
        const published = await waitFor(
          `${id} to be published`,
          async () => {
            const doc = await stored(id);
            return doc?.status === 'published' ? doc : undefined;
          },
          30_000,
        );
        expect(published.publishedAt).toBe(post.publishAt);
        await waitFor(`the publication of ${id} to be logged`, () => publications(id) === 1, 5_000);
        tally.published++;
      } else if (post.status === 'draft' && post.publishedAt === null) {
        // Cancelled before its time: never published afterwards.
        expect(await stored(id)).toMatchObject({ status: 'draft', publishedAt: null });
        expect(publications(id)).toBe(0);
        tally.cancelled++;
      } else {
        // The last write came after its publication (an edit of the published post, or unpublishing it).
        expect(publications(id)).toBe(1);
      }
    }
  }

  it('never publishes twice, never publishes a cancelled post, never misses one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 3, maxLength: 10 }), async (steps) => {
        run++;
        latestAsked = 0;
        const ids: string[] = [];
        const outcomes = new Map<string, Outcome>();
        for (const step of steps) await apply(step, ids, outcomes);
        await settle();
        await check(ids, outcomes).catch((error: Error) => {
          throw new Error(
            `${error.message}\nsteps: ${JSON.stringify(steps)}\n${logsOf(api, ...workers)
              .split('\n')
              .filter((l) => /Scheduling|published/.test(l))
              .slice(-40)
              .join('\n')}`,
          );
        });
      }),
      { numRuns: 6, endOnFailure: true },
    );
  }, 300_000);
});
