import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeGithub } from './support/fake-github';
import { answeredDispatches, deployOf, startDeployingApp } from './support/deploy-harness';
import { S3Interposer } from './support/s3-interposer';
import { RunningApp, TestStack } from './support/stack';

const DEBOUNCE_MS = 6_000;
/** How long every bucket listing takes here: more than the usual 1 s lead, well within half the quiet window. */
const LISTING_MS = 1_500;

/**
 * The worker lists the bucket just before it claims a deploy, a lead time before the quiet window ends, so the
 * dispatch leaves on time. A bucket that takes longer to list than that lead must not make every dispatch late:
 * after one slow snapshot the worker starts the next one earlier.
 */
describe('deploys: the snapshot before a claim starts earlier once the bucket is slow to list', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let interposer: S3Interposer;
  let running: RunningApp;
  /** When each bucket listing reached S3's door (epoch ms). */
  const listings: number[] = [];
  const api = () => request(running.url);

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    interposer = await S3Interposer.start(stack.s3.endpoint);
    running = await startDeployingApp(stack, github, {
      S3_ENDPOINT: interposer.endpoint,
      DEPLOY_DEBOUNCE_MS: String(DEBOUNCE_MS),
      DEPLOY_MAX_WAIT_MS: '60000',
      DEPLOY_RECONCILE_MS: '3600000', // no reconcile pass lists the bucket meanwhile
    });
    interposer.interpose(
      (req) => req.method === 'GET' && req.path.includes('list-type=2'),
      async () => {
        listings.push(Date.now());
        await sleep(LISTING_MS);
      },
      1_000,
    );
  });

  afterAll(async () => {
    await running?.close();
    await interposer?.stop();
    await github?.close();
    await stack?.stop();
  });

  /** Makes one edit, waits for the dispatch it causes, and says how long before the deploy was due the worker listed the bucket. */
  async function leadOfNextDeploy(authorId: string, dispatches: number): Promise<number> {
    await api().post('/authors').send({ id: authorId, name: authorId }).expect(201);
    const dispatched = (await answeredDispatches(github, dispatches, DEBOUNCE_MS + 10_000)).at(-1)!;
    const due = Date.parse((await deployOf(running.url, dispatched)).scheduledFor!);
    // The snapshot lists each content folder (authors, posts) at once.
    const snapshot = listings.filter((at) => at > due - DEBOUNCE_MS / 2 - 500 && at <= due);
    expect(snapshot.length).toBeGreaterThan(0);
    return due - Math.min(...snapshot);
  }

  it('lists the bucket the usual 1 s early at first, then early enough for the listing it saw', async () => {
    // Nothing measured yet: the usual lead, shorter than this listing, so this dispatch left late.
    const first = await leadOfNextDeploy('first', 1);
    expect(first).toBeLessThan(1_200);
    // That listing took 1.5 s: the next starts about 1.5 × as early, within half the quiet window.
    const second = await leadOfNextDeploy('second', 2);
    expect(second).toBeGreaterThan(LISTING_MS);
    expect(second).toBeLessThanOrEqual(DEBOUNCE_MS / 2);
    process.stdout.write(`snapshot lead with ${LISTING_MS} ms listings: ${first} ms, then ${second} ms\n`);
  });
});
