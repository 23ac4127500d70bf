import request from 'supertest';
import { FakeGithub } from './support/fake-github';
import { answeredDispatches, bodyOf, deployOf, settled, startDeployingApp } from './support/deploy-harness';
import { S3Interposer } from './support/s3-interposer';
import { RunningApp, TestStack } from './support/stack';

const DEBOUNCE = 400;

/**
 * A write that reaches S3 just before a deploy lists the bucket, while its change is recorded only after that
 * deploy was claimed: the deploy names it (S3 shows it, no recorded edit does) and the change lands in the
 * next deploy. Here the S3 answer to that write is held until the first deploy has been dispatched, so the
 * race happens every time. The next deploy must not name the write again.
 */
describe('deploys: a write recorded after the claim of the deploy that listed it', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let interposer: S3Interposer;
  let running: RunningApp;
  const api = () => request(running.url);
  /**
   * Holds S3's answer to the next write of post `id` until one dispatch has been answered: the write is in the
   * bucket, and the service records its change only after that. Resolves once S3 has taken the write.
   */
  const holdWriteUntilDispatched = (id: string): Promise<void> =>
    new Promise((landed) =>
      interposer.interpose((req) => req.method === 'PUT' && req.path.includes(`/posts/${id}.json`), {
        beforeAnswer: async () => {
          landed();
          await answeredDispatches(github, 1);
        },
      }),
    );
  /**
   * PATCHes post `id` with S3's answer to its write held as above. Resolves once S3 has taken the write, with the
   * response still to come (wrapped: a bare promise would be awaited along).
   */
  const patchHeldUntilDispatched = async (id: string, title: string) => {
    const inBucket = holdWriteUntilDispatched(id);
    // then(): supertest sends a request only once it is awaited.
    const response = api()
      .patch(`/posts/${id}`)
      .send({ title })
      .expect(200)
      .then(({ body }) => body as { updatedAt: string });
    await inBucket;
    return { edited: response };
  };
  const naming = (id: string) =>
    github.dispatches().filter((d) => bodyOf(d).client_payload.changes.some((c) => c.id === id));

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    interposer = await S3Interposer.start(stack.s3.endpoint);
    running = await startDeployingApp(stack, github, {
      S3_ENDPOINT: interposer.endpoint,
      DEPLOY_DEBOUNCE_MS: String(DEBOUNCE),
      DEPLOY_MAX_WAIT_MS: '30000',
      DEPLOY_BACKOFF_MS: '200',
    });
  });

  afterAll(async () => {
    await running?.close();
    await interposer?.stop();
    await github?.close();
    await stack?.stop();
  });

  it('is named by one dispatch: the first, which listed it; the next leaves it out', async () => {
    await api().post('/authors').send({ id: 'ada', name: 'Ada' }).expect(201);
    const fields = { body: 'Text', authorIds: ['ada'], status: 'published' };
    await api()
      .post('/posts')
      .send({ id: 'raced', title: 'Raced', ...fields })
      .expect(201);
    await api()
      .post('/posts')
      .send({ id: 'other', title: 'Other', ...fields })
      .expect(201);
    // A dispatch (not the first start's baseline) is what the next deploy compares with.
    await settled(running.url, bodyOf((await answeredDispatches(github, 1))[0]).client_payload.deployId);
    github.reset();

    // S3 answers the write once the deploy that listed it has been sent.
    const raced = await patchHeldUntilDispatched('raced', 'Raced, edited');
    await api().patch('/posts/other').send({ title: 'Other, edited' }).expect(200);
    const edited = await raced.edited;

    const [first, second] = await answeredDispatches(github, 2);
    expect(
      bodyOf(first)
        .client_payload.changes.map((c) => `${c.action} ${c.id}`)
        .sort(),
    ).toEqual(['updated other', 'updated raced']);
    expect(naming('raced')).toEqual([first]);
    const next = await deployOf(running.url, second);
    expect(next).toMatchObject({ changes: [], changeCount: 0, editCount: 1 });
    expect(Date.parse(next.firstChangeAt!)).toBeGreaterThanOrEqual(Date.parse(edited.updatedAt));
  });

  it('is named again by the next dispatch when the deploy that listed it had recorded only an older edit of the post', async () => {
    await settled(running.url, bodyOf(github.dispatches().at(-1)!).client_payload.deployId);
    github.reset();
    await api().patch('/posts/other').send({ title: 'Other, first edit' }).expect(200);
    // Sent with the first edit recorded and the second in S3.
    const edited = await (await patchHeldUntilDispatched('other', 'Other, second edit')).edited;

    const [first, second] = await answeredDispatches(github, 2);
    const entry = (dispatch: typeof first) => bodyOf(dispatch).client_payload.changes.find((c) => c.id === 'other');
    expect(Date.parse(entry(first)!.at)).toBeLessThan(Date.parse(edited.updatedAt));
    expect(entry(second)).toMatchObject({ action: 'updated' });
    expect(Date.parse(entry(second)!.at)).toBeGreaterThanOrEqual(Date.parse(edited.updatedAt));
  });

  it('is named by one deploy also when that deploy is sent only on a retry: the next leaves it out', async () => {
    await settled(running.url, bodyOf(github.dispatches().at(-1)!).client_payload.deployId);
    github.reset();
    github.respond('dispatch', { status: 502, body: { message: 'Bad Gateway' } });
    // The write's change is recorded after the first attempt failed, while its deploy waits for the retry.
    const raced = await patchHeldUntilDispatched('raced', 'Raced, retried');
    await api().patch('/posts/other').send({ title: 'Other, retried' }).expect(200);
    await raced.edited;

    const [failed, retried, next] = await answeredDispatches(github, 3);
    expect([failed.status, retried.status]).toEqual([502, 204]);
    const listedIt = bodyOf(retried).client_payload.deployId;
    expect(bodyOf(failed).client_payload.deployId).toBe(listedIt);
    expect(naming('raced').map((d) => bodyOf(d).client_payload.deployId)).toEqual([listedIt, listedIt]);
    expect(await deployOf(running.url, next)).toMatchObject({ changes: [], changeCount: 0, editCount: 1 });
  });
});
