import { Redis } from 'ioredis';
import request from 'supertest';
import { ConditionalWrites } from '../src/storage/conditional-writes';
import { contentKey } from '../src/storage/s3-layout';
import type { S3Kind } from './support/backends/s3-backend';
import { DirectS3 } from './support/direct-s3';
import { RunningApp, TestStack, startApp } from './support/stack';

/**
 * How content writes keep concurrent writers apart depends on the S3 server, learned at start: where S3 enforces
 * If-Match / If-None-Match (moto, like AWS) it is the compare-and-swap and no Redis lock is taken; where it ignores
 * them (the default test server) a per-key Redis lock is. test/concurrency.e2e-spec.ts races writers on both.
 */
describe.each<[string, S3Kind, boolean]>([
  ['default S3 (ignores conditional writes)', 'default', false],
  ['moto (enforces conditional writes)', 'moto', true],
])('content writes on %s', (_name, s3Kind, enforced) => {
  let stack: TestStack;
  let running: RunningApp;
  let bucket: DirectS3;
  let redis: Redis;

  beforeAll(async () => {
    stack = await TestStack.start({ s3: s3Kind });
    running = await startApp(stack.config(stack.env({ S3_PREFIX: 'cas/' })));
    bucket = new DirectS3(stack.s3, running.config.s3.bucket, running.config.s3.prefix);
    redis = new Redis(stack.redis.url);
    await request(running.url).post('/authors').send({ id: 'ann', name: 'Ann' }).expect(201);
  });

  afterAll(async () => {
    redis?.disconnect();
    bucket?.close();
    await running?.close();
    await stack?.stop();
  });

  it('learns at start whether S3 enforces conditional writes, and leaves no probe object behind', async () => {
    expect(await running.app.get(ConditionalWrites).enforced()).toBe(enforced);
    expect((await bucket.keys()).filter((key) => key.includes('probe'))).toEqual([]);
  });

  it(
    enforced ? 'creates and updates without the Redis lock' : 'waits for the Redis lock held by another writer',
    async () => {
      // Another writer (say, an instance stuck mid-write) holds the post's lock.
      const lock = `${running.config.queuePrefix}:lock:${contentKey('post', 'locked')}`;
      await redis.set(lock, 'another-writer', 'PX', 60_000);
      const created = await request(running.url)
        .post('/posts')
        .send({ id: 'locked', title: 'Locked', body: 'x', authorIds: ['ann'] });
      if (enforced) {
        expect(created.status).toBe(201);
        await request(running.url).patch('/posts/locked').send({ body: 'y' }).expect(200);
        expect(JSON.parse((await bucket.entity('posts', 'locked'))!.text)).toMatchObject({ body: 'y' });
      } else {
        expect(created.status).toBe(503);
        expect(await bucket.entity('posts', 'locked')).toBeNull();
      }
      await redis.del(lock);
    },
    30_000,
  );

  it('refuses a create whose id another writer took, with one answer per writer', async () => {
    const answers = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        request(running.url)
          .post('/authors')
          .send({ id: 'twin', name: `Writer ${i}` }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    const winner = answers.find((a) => a.status === 201)!;
    expect((await bucket.entity('authors', 'twin'))!.text).toBe(winner.text);
  });
});
