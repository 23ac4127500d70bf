import request from 'supertest';
import { startAppWithBucket, stopAppWithBucket } from './support/bucket';
import { DirectS3 } from './support/direct-s3';
import { create, messageOf } from './support/content-api';
import { RunningApp, TestStack } from './support/stack';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Posts routes and their S3 objects, with no S3_PREFIX. */
describe('posts API', () => {
  let stack: TestStack;
  let running: RunningApp;
  let bucket: DirectS3;
  let url: string;

  beforeAll(async () => {
    ({ stack, running, bucket, url } = await startAppWithBucket());
    await create(url, 'authors', { id: 'ann', name: 'Ann' });
    await create(url, 'authors', { id: 'bob', name: 'Bob' });
  });

  afterAll(() => stopAppWithBucket({ stack, running, bucket }));

  const stored = async (id: unknown) => (await bucket.object(`posts/${String(id)}.json`))?.text;

  describe('POST /posts', () => {
    it('creates a draft: 201, ETag, Location, id from the title, publishedAt null, stored exactly at posts/{id}.json', async () => {
      const res = await request(url)
        .post('/posts')
        .send({ title: 'Hello, World!', body: '# Hi', authorIds: ['ann'], tags: ['news'] })
        .expect(201);
      expect(res.body).toEqual({
        id: 'hello-world',
        title: 'Hello, World!',
        body: '# Hi',
        authorIds: ['ann'],
        tags: ['news'],
        status: 'draft',
        publishAt: null,
        publishedAt: null,
        createdAt: expect.stringMatching(ISO),
        updatedAt: res.body.createdAt,
      });
      expect(res.headers.etag).toMatch(/^"[^"]+"$/);
      expect(res.headers.location).toBe('/posts/hello-world');
      const object = await bucket.object('posts/hello-world.json');
      expect(object).toEqual({
        text: res.text,
        contentType: 'application/json; charset=utf-8',
        etag: res.headers.etag,
      });
    });

    it('sets publishedAt when created as published', async () => {
      const { doc } = await create(url, 'posts', {
        title: 'Live now',
        body: 'x',
        authorIds: ['ann', 'bob'],
        status: 'published',
      });
      expect(doc.publishedAt).toBe(doc.createdAt);
    });

    it('generates a valid id for a Hangul-only title and round-trips Hangul and emoji exactly', async () => {
      const title = '첫 번째 글';
      const body = '## 안녕하세요 👋\n\n이모지: 🇰🇷 👩🏽‍🚀 — “typographic” quotes, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, e\u0301 vs é';
      const res = await request(url)
        .post('/posts')
        .send({ title, body, summary: '요약 ✨', tags: ['한국어', '🚀'], authorIds: ['ann'] })
        .expect(201);
      expect(res.body.id).toMatch(/^post-[a-z0-9]{8}$/);
      expect(res.body).toMatchObject({ title, body, summary: '요약 ✨', tags: ['한국어', '🚀'] });
      const got = await request(url).get(`/posts/${res.body.id}`).expect(200);
      expect(got.text).toBe(res.text);
      expect(await stored(res.body.id)).toBe(res.text);
    });

    it('generates a unique id when the derived slug is taken; 409 for a taken explicit id', async () => {
      const first = await create(url, 'posts', { title: 'Twice', body: 'a', authorIds: ['ann'] });
      const second = await create(url, 'posts', { title: 'Twice', body: 'b', authorIds: ['ann'] });
      expect(first.doc.id).toBe('twice');
      expect(second.doc.id).toMatch(/^twice-[a-z0-9]{8}$/);
      const taken = await request(url)
        .post('/posts')
        .send({ id: 'twice', title: 'Other', body: 'c', authorIds: ['ann'] })
        .expect(409);
      expect(taken.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('twice') });
      expect(JSON.parse((await stored('twice'))!).body).toBe('a');
    });

    it('answers 400 naming every unknown author id, and writes nothing', async () => {
      const before = await bucket.keys();
      const res = await request(url)
        .post('/posts')
        .send({ id: 'orphan', title: 'Orphan', body: 'x', authorIds: ['ann', 'ghost-one', 'ghost-two'] })
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(messageOf(res)).toContain('ghost-one');
      expect(messageOf(res)).toContain('ghost-two');
      expect(messageOf(res)).not.toContain('ann,');
      expect(await bucket.keys()).toEqual(before);
    });

    it('answers 400 naming each bad or unknown field', async () => {
      const res = await request(url)
        .post('/posts')
        .send({
          title: '',
          summary: 's'.repeat(501),
          body: 7,
          authorIds: [],
          tags: ['x'.repeat(41)],
          coverImageUrl: 'ftp://x',
          status: 'archived',
          extra: true,
        })
        .expect(400);
      for (const field of ['title', 'summary', 'body', 'authorIds', 'tags', 'coverImageUrl', 'status', 'extra'])
        expect(messageOf(res)).toContain(field);
    });
  });

  describe('GET, PUT, PATCH, DELETE /posts/:id', () => {
    it('GET answers 200 with the ETag, 304 for a current If-None-Match, 404 for a missing post', async () => {
      const { doc, etag } = await create(url, 'posts', { title: 'Read me', body: 'x', authorIds: ['ann'] });
      const got = await request(url).get(`/posts/${doc.id}`).expect(200);
      expect(got.body).toEqual(doc);
      expect(got.headers.etag).toBe(etag);
      await request(url).get(`/posts/${doc.id}`).set('If-None-Match', etag).expect(304);
      await request(url).get(`/posts/${doc.id}`).set('If-None-Match', '"old"').expect(200);
      const missing = await request(url).get('/posts/not-there').expect(404);
      expect(missing.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: expect.stringContaining('not-there'),
      });
    });

    it('sets publishedAt when first published and keeps it through edits, unpublishing and PUTs', async () => {
      const { doc, etag } = await create(url, 'posts', { title: 'Lifecycle', body: 'v1', authorIds: ['ann'] });
      expect(doc.publishedAt).toBeNull();
      const published = await request(url)
        .patch(`/posts/${doc.id}`)
        .set('If-Match', etag)
        .send({ status: 'published' })
        .expect(200);
      const publishedAt = published.body.publishedAt as string;
      expect(publishedAt).toBe(published.body.updatedAt);
      const edited = await request(url).patch(`/posts/${doc.id}`).send({ body: 'v2', summary: 'sum' }).expect(200);
      expect(edited.body).toMatchObject({
        body: 'v2',
        summary: 'sum',
        title: 'Lifecycle',
        status: 'published',
        publishedAt,
      });
      const unpublished = await request(url).patch(`/posts/${doc.id}`).send({ status: 'draft' }).expect(200);
      expect(unpublished.body.publishedAt).toBe(publishedAt);
      const put = await request(url)
        .put(`/posts/${doc.id}`)
        .send({
          title: 'Lifecycle 2',
          body: 'v3',
          authorIds: ['bob'],
          status: 'published',
          publishedAt: '1999-01-01T00:00:00.000Z',
          createdAt: '1999-01-01T00:00:00.000Z',
        })
        .expect(200);
      expect(put.body).toEqual({
        id: doc.id,
        title: 'Lifecycle 2',
        body: 'v3',
        authorIds: ['bob'],
        status: 'published',
        publishAt: null,
        publishedAt,
        createdAt: doc.createdAt,
        updatedAt: expect.stringMatching(ISO),
      });
      expect(await stored(doc.id)).toBe(put.text);
    });

    it('PATCH: null clears optional fields, status null falls back to draft, null on a required field is a 400', async () => {
      const { doc } = await create(url, 'posts', {
        title: 'Clear me',
        body: 'x',
        summary: 's',
        tags: ['t'],
        coverImageUrl: 'https://e.com/c.png',
        authorIds: ['ann'],
        status: 'published',
      });
      const res = await request(url)
        .patch(`/posts/${doc.id}`)
        .send({ summary: null, tags: null, coverImageUrl: null, status: null })
        .expect(200);
      expect(res.body).toEqual({
        id: doc.id,
        title: 'Clear me',
        body: 'x',
        authorIds: ['ann'],
        status: 'draft',
        publishAt: null,
        publishedAt: doc.publishedAt,
        createdAt: doc.createdAt,
        updatedAt: expect.stringMatching(ISO),
      });
      for (const field of ['title', 'body', 'authorIds']) {
        expect(
          messageOf(
            await request(url)
              .patch(`/posts/${doc.id}`)
              .send({ [field]: null })
              .expect(400),
          ),
        ).toContain(field);
      }
      expect(
        messageOf(
          await request(url)
            .patch(`/posts/${doc.id}`)
            .send({ authorIds: ['ghost'] })
            .expect(400),
        ),
      ).toContain('ghost');
      expect(await stored(doc.id)).toBe(res.text);
    });

    it('PUT and PATCH answer 412 for a stale If-Match (S3 unchanged) and 404 for a missing post', async () => {
      const { doc, etag } = await create(url, 'posts', { title: 'Contended', body: 'v1', authorIds: ['ann'] });
      const current = await request(url)
        .patch(`/posts/${doc.id}`)
        .set('If-Match', etag)
        .send({ body: 'v2' })
        .expect(200);
      const before = await stored(doc.id);
      await request(url).patch(`/posts/${doc.id}`).set('If-Match', etag).send({ body: 'lost' }).expect(412);
      await request(url)
        .put(`/posts/${doc.id}`)
        .set('If-Match', etag)
        .send({ title: 'Lost', body: 'lost', authorIds: ['ann'] })
        .expect(412);
      expect(await stored(doc.id)).toBe(before);
      await request(url)
        .put(`/posts/${doc.id}`)
        .set('If-Match', current.headers.etag)
        .send({ title: 'Won', body: 'v3', authorIds: ['ann'] })
        .expect(200);
      await request(url)
        .put('/posts/no-such-post')
        .send({ title: 'x', body: 'x', authorIds: ['ann'] })
        .expect(404);
      await request(url).patch('/posts/no-such-post').send({ body: 'x' }).expect(404);
    });

    it('DELETE answers 412 for a stale If-Match, then 204, then 404; the object is gone', async () => {
      const { doc, etag } = await create(url, 'posts', { title: 'Short lived', body: 'x', authorIds: ['ann'] });
      const patched = await request(url).patch(`/posts/${doc.id}`).send({ body: 'y' }).expect(200);
      await request(url).delete(`/posts/${doc.id}`).set('If-Match', etag).expect(412);
      await request(url).delete(`/posts/${doc.id}`).set('If-Match', patched.headers.etag).expect(204);
      expect(await stored(doc.id)).toBeUndefined();
      await request(url).delete(`/posts/${doc.id}`).expect(404);
    });
  });

  it('refuses to delete an author still credited on posts (409 naming them), allows it once they are gone', async () => {
    await create(url, 'authors', { id: 'carol', name: 'Carol' });
    const one = await create(url, 'posts', { id: 'carol-one', title: 'One', body: 'x', authorIds: ['carol'] });
    await create(url, 'posts', { id: 'carol-two', title: 'Two', body: 'x', authorIds: ['ann', 'carol'] });
    const res = await request(url).delete('/authors/carol').expect(409);
    expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('carol-one') });
    expect(messageOf(res)).toContain('carol-two');
    expect(await bucket.object('authors/carol.json')).not.toBeNull();
    await request(url).delete(`/posts/${one.doc.id}`).expect(204);
    await request(url)
      .patch('/posts/carol-two')
      .send({ authorIds: ['ann'] })
      .expect(200);
    await request(url).delete('/authors/carol').expect(204);
  });

  it('writes nothing under authors/ and posts/ but one {id}.json per entity', async () => {
    const keys = (await bucket.keys()).filter((key) => /^(authors|posts)\//.test(key));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^(authors|posts)\/[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.json$/);
  });
});
