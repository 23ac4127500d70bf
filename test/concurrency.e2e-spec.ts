import request from 'supertest';
import { DirectS3 } from './support/direct-s3';
import { create } from './support/content-api';
import { ServiceProcess } from './support/processes';
import type { S3Kind } from './support/backends/s3-backend';
import { RunningApp, TestStack, startApp } from './support/stack';

/**
 * No lost update (issue 2), across two instances in one process and a third in a separate process (the built app),
 * all on one Redis and one bucket. Run against two S3 servers: the default one ignores If-Match / If-None-Match on
 * writes (the in-process server, the MinIO stand-in), so what holds there is the per-key Redis lock plus the
 * service's own ETag comparison; moto enforces them like AWS, so there the service's conditional requests meet a
 * server that also refuses.
 */
describe.each<[string, S3Kind]>([
  ['default S3', 'default'],
  ['moto (conditional writes enforced)', 'moto'],
])('concurrent writes, %s', (_name, s3Kind) => {
  let stack: TestStack;
  let first: RunningApp;
  let second: RunningApp;
  let separate: ServiceProcess;
  let bucket: DirectS3;
  let urls: string[];

  beforeAll(async () => {
    stack = await TestStack.start({ s3: s3Kind });
    const env = stack.env({ S3_PREFIX: 'race/' });
    first = await startApp(stack.config(env));
    second = await startApp(stack.config(env));
    separate = await ServiceProcess.start('separate', env);
    bucket = new DirectS3(stack.s3, first.config.s3.bucket, first.config.s3.prefix);
    urls = [first.url, second.url, separate.url];
    if (s3Kind === 'moto' && !(await bucket.enforcesConditionalWrites()))
      throw new Error('moto accepted a write whose If-None-Match failed');
    await create(first.url, 'authors', { id: 'ann', name: 'Ann' });
  });

  afterAll(async () => {
    bucket?.close();
    await separate?.terminate();
    await second?.close();
    await first?.close();
    await stack?.stop();
  });

  it('10 concurrent PATCHes with the same If-Match across three instances: one 200, nine 412, S3 holds the winner', async () => {
    const { doc, etag } = await create(first.url, 'posts', {
      id: 'contested',
      title: 'Contested',
      body: 'original',
      authorIds: ['ann'],
    });
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(urls[i % urls.length])
          .patch(`/posts/${doc.id}`)
          .set('If-Match', etag)
          .send({ body: `edit number ${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412, 412, 412, 412, 412, 412, 412]);
    const winner = responses.find((r) => r.status === 200)!;
    const stored = await bucket.entity('posts', 'contested');
    expect(stored!.text).toBe(winner.text);
    expect(stored!.etag).toBe(winner.headers.etag);
    for (const url of urls) expect((await request(url).get('/posts/contested').expect(200)).text).toBe(winner.text);
  });

  it('repeats the race with the winner ETag as the next round base: exactly one winner each round', async () => {
    let { etag } = await create(first.url, 'authors', { id: 'rounds', name: 'Rounds' });
    for (let round = 0; round < 5; round++) {
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          request(urls[(i + round) % urls.length])
            .put('/authors/rounds')
            .set('If-Match', etag)
            .send({ name: `Round ${round} writer ${i}` }),
        ),
      );
      const winners = responses.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      expect(responses.filter((r) => r.status === 412)).toHaveLength(5);
      expect((await bucket.entity('authors', 'rounds'))!.text).toBe(winners[0].text);
      etag = winners[0].headers.etag;
    }
  });

  it('PATCHes without If-Match are serialized: every concurrent change of a different field survives', async () => {
    await create(first.url, 'authors', { id: 'many-hands', name: 'Many Hands' });
    const changes = [
      { title: 'Editor' },
      { bio: 'Writes a lot' },
      { avatarUrl: 'https://e.com/a.png' },
      { links: [{ label: 'Home', url: 'https://e.com' }] },
    ];
    const responses = await Promise.all(
      changes.map((change, i) =>
        request(urls[i % urls.length])
          .patch('/authors/many-hands')
          .send(change),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const final = JSON.parse((await bucket.entity('authors', 'many-hands'))!.text);
    expect(final).toMatchObject(Object.assign({ name: 'Many Hands' }, ...changes));
  });

  it('two concurrent creates of the same explicit id on two processes: one 201, one 409', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `twin-${round}`;
      const [a, b] = await Promise.all([
        request(first.url).post('/authors').send({ id, name: 'From the first' }),
        request(separate.url).post('/authors').send({ id, name: 'From the separate process' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const winner = a.status === 201 ? a : b;
      expect((await bucket.entity('authors', id))!.text).toBe(winner.text);
    }
  });

  it('concurrent creates deriving the same slug all succeed with distinct ids', async () => {
    const responses = await Promise.all(
      urls.flatMap((url) =>
        [0, 1].map(() =>
          request(url)
            .post('/posts')
            .send({ title: 'Same Title', body: 'x', authorIds: ['ann'] }),
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(201));
    const ids = responses.map((r) => r.body.id as string);
    expect(new Set(ids).size).toBe(6);
    expect(ids).toContain('same-title');
    const keys = await bucket.keys();
    for (const id of ids) expect(keys).toContain(`race/posts/${id}.json`);
  });
});
