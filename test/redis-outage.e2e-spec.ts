import request from 'supertest';
import { startAppWithBucket, stopAppWithBucket } from './support/bucket';
import { DirectS3 } from './support/direct-s3';
import { create } from './support/content-api';
import { RunningApp, TestStack } from './support/stack';
import { waitFor } from './support/wait-for';

/**
 * Redis stops while the service runs: readiness says so (503), writes are refused with 503 before anything
 * reaches S3 (no write without the per-key lock), reads keep working, and once the same Redis is back the
 * service writes again without a restart.
 */
describe('Redis outage', () => {
  let stack: TestStack;
  let running: RunningApp;
  let bucket: DirectS3;
  let url: string;

  beforeAll(async () => {
    ({ stack, running, bucket, url } = await startAppWithBucket({ S3_PREFIX: 'outage/' }));
    await create(url, 'authors', { id: 'ann', name: 'Ann' });
    await create(url, 'posts', { id: 'live', title: 'Live', body: 'v1', authorIds: ['ann'], status: 'published' });
  });

  afterAll(() => stopAppWithBucket({ stack, running, bucket }));

  it('is ready while Redis answers', async () => {
    const res = await request(url).get('/health/ready').expect(200);
    expect(res.body.details.redis.status).toBe('up');
  });

  describe('while Redis is down', () => {
    let keysBefore: string[];
    let annBefore: string;

    beforeAll(async () => {
      keysBefore = await bucket.keys();
      annBefore = (await bucket.entity('authors', 'ann'))!.text;
      await stack.redis.stop('SIGKILL');
    });

    it('/health/ready answers 503 naming Redis; /health still 200', async () => {
      const res = await waitFor('readiness to report Redis down', async () => {
        const r = await request(url).get('/health/ready');
        return r.status === 503 ? r : undefined;
      });
      expect(res.body.details.redis.status).toBe('down');
      expect(res.body.details.s3.status).toBe('up');
      await request(url).get('/health').expect(200);
    });

    it('refuses every write with 503 and writes nothing to S3', async () => {
      const writes = [
        request(url).post('/authors').send({ id: 'bob', name: 'Bob' }),
        request(url).post('/authors').send({ name: 'Derived Id' }),
        request(url).put('/authors/ann').send({ name: 'Ann Replaced' }),
        request(url).patch('/authors/ann').send({ bio: 'lost?' }),
        request(url).delete('/authors/ann'),
        request(url)
          .post('/posts')
          .send({ id: 'new-post', title: 'New', body: 'x', authorIds: ['ann'] }),
        request(url).patch('/posts/live').send({ body: 'v2' }),
        request(url).delete('/posts/live'),
      ];
      for (const res of await Promise.all(writes)) {
        expect(res.status).toBe(503);
        expect(res.body).toEqual({
          statusCode: 503,
          error: 'Service Unavailable',
          message: expect.stringContaining('Redis'),
        });
      }
      expect(await bucket.keys()).toEqual(keysBefore);
      expect((await bucket.entity('authors', 'ann'))!.text).toBe(annBefore);
    });

    it('keeps serving reads from S3', async () => {
      await request(url).get('/authors/ann').expect(200);
      const list = await request(url).get('/posts').expect(200);
      expect(list.body.items.map((p: { id: string }) => p.id)).toEqual(['live']);
    });
  });

  describe('after Redis is back on the same port', () => {
    beforeAll(async () => {
      await stack.redis.start();
    });

    it('becomes ready and accepts writes again without a restart', async () => {
      await waitFor('readiness to recover', async () => (await request(url).get('/health/ready')).status === 200);
      await request(url).post('/authors').send({ id: 'bob', name: 'Bob' }).expect(201);
      await request(url)
        .patch('/posts/live')
        .send({ body: 'v2', authorIds: ['ann', 'bob'] })
        .expect(200);
      expect(JSON.parse((await bucket.entity('posts', 'live'))!.text)).toMatchObject({
        body: 'v2',
        authorIds: ['ann', 'bob'],
      });
      const list = await request(url).get('/authors').expect(200);
      expect(list.body.items.map((a: { id: string }) => a.id)).toEqual(['bob', 'ann']);
    });
  });
});
