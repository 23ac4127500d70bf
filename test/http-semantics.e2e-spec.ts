import request from 'supertest';
import { AppWithBucket, startAppWithBucket, stopAppWithBucket } from './support/bucket';
import { create, messageOf } from './support/content-api';

/** Conditional requests and error answers as HTTP clients and caches expect them (RFC 9110). */
describe('HTTP semantics', () => {
  let parts: Partial<AppWithBucket> = {};
  let url: string;

  beforeAll(async () => {
    parts = await startAppWithBucket();
    url = parts.url!;
    await create(url, 'authors', { id: 'ann', name: 'Ann' });
  });

  afterAll(() => stopAppWithBucket(parts));

  it('If-Match compares strongly: the current tag passes, its weak form never does (412)', async () => {
    const { etag } = await create(url, 'authors', { id: 'strong', name: 'Strong' });
    await request(url).patch('/authors/strong').set('If-Match', `W/${etag}`).send({ bio: 'x' }).expect(412);
    await request(url).put('/authors/strong').set('If-Match', `W/${etag}`).send({ name: 'S' }).expect(412);
    await request(url).delete('/authors/strong').set('If-Match', `W/${etag}`).expect(412);
    const ok = await request(url)
      .patch('/authors/strong')
      .set('If-Match', `"other", ${etag}`)
      .send({ bio: 'x' })
      .expect(200);
    await request(url).delete('/authors/strong').set('If-Match', ok.headers.etag).expect(204);
  });

  it('If-Match: * passes for an existing entity and is a 412 for a missing one (404 without it)', async () => {
    await create(url, 'authors', { id: 'starred', name: 'Starred' });
    await request(url).patch('/authors/starred').set('If-Match', '*').send({ bio: 'x' }).expect(200);
    await request(url).put('/authors/nobody').set('If-Match', '*').send({ name: 'N' }).expect(412);
    await request(url).patch('/authors/nobody').set('If-Match', '*').send({ name: 'N' }).expect(412);
    await request(url).put('/authors/nobody').send({ name: 'N' }).expect(404);
    await request(url).delete('/authors/nobody').set('If-Match', '*').expect(412);
    await request(url).delete('/authors/nobody').expect(404);
  });

  it('error answers carry no ETag; lists carry none either (only an entity has one)', async () => {
    const { etag } = await create(url, 'authors', { id: 'tagged', name: 'Tagged' });
    for (const res of [
      await request(url).get('/authors/missing').expect(404),
      await request(url).patch('/authors/tagged').set('If-Match', '"stale"').send({ bio: 'x' }).expect(412),
      await request(url).post('/authors').send({ name: '' }).expect(400),
      await request(url).post('/authors').send({ id: 'tagged', name: 'Again' }).expect(409),
      await request(url).get('/authors').expect(200),
    ]) {
      expect(res.headers.etag).toBeUndefined();
    }
    const got = await request(url).get('/authors/tagged').expect(200);
    expect(got.headers.etag).toBe(etag);
    await request(url).get('/authors/tagged').set('If-None-Match', `W/${etag}`).expect(304);
  });

  it('a missing required field gives one message naming it', async () => {
    const post = await request(url)
      .post('/posts')
      .send({ title: 'T', authorIds: ['ann'] })
      .expect(400);
    expect(post.body.message).toEqual(['body is required']);
    const both = await request(url).post('/posts').send({ title: 'T' }).expect(400);
    expect([...(both.body.message as string[])].sort()).toEqual(['authorIds is required', 'body is required']);
    const author = await request(url)
      .post('/authors')
      .send({ links: [{ url: 'https://example.com' }] })
      .expect(400);
    expect([...(author.body.message as string[])].sort()).toEqual(['links.0.label is required', 'name is required']);
    const wrong = await request(url).post('/authors').send({ name: 7 }).expect(400);
    expect(messageOf(wrong)).toContain('name must be a string');
  });
});
