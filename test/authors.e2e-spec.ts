import request from 'supertest';
import { startAppWithBucket, stopAppWithBucket } from './support/bucket';
import { DirectS3 } from './support/direct-s3';
import { ERROR_SHAPE, create, messageOf } from './support/content-api';
import { RunningApp, TestStack } from './support/stack';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Authors routes and their S3 objects, with a non-empty S3_PREFIX. */
describe('authors API', () => {
  let stack: TestStack;
  let running: RunningApp;
  let bucket: DirectS3;
  let url: string;

  beforeAll(async () => {
    ({ stack, running, bucket, url } = await startAppWithBucket({ S3_PREFIX: 'site/content' }));
  });

  afterAll(() => stopAppWithBucket({ stack, running, bucket }));

  describe('POST /authors', () => {
    it('creates an author: 201, ETag, Location, id derived from the name, server fields set', async () => {
      const res = await request(url)
        .post('/authors')
        .send({ name: 'Zoë Écrivain', title: 'Editor', links: [{ label: 'Site', url: 'https://zoe.example' }] })
        .expect(201);
      expect(res.body).toEqual({
        id: 'zoe-ecrivain',
        name: 'Zoë Écrivain',
        title: 'Editor',
        links: [{ label: 'Site', url: 'https://zoe.example' }],
        createdAt: expect.stringMatching(ISO),
        updatedAt: res.body.createdAt,
      });
      expect(res.headers.etag).toMatch(/^"[^"]+"$/);
      expect(res.headers.location).toBe('/authors/zoe-ecrivain');
    });

    it('stores the API JSON exactly at {S3_PREFIX}authors/{id}.json as application/json; charset=utf-8', async () => {
      const res = await request(url)
        .post('/authors')
        .send({ name: 'Stored Exactly', bio: 'line one\nline "two"' })
        .expect(201);
      const stored = await bucket.object('site/content/authors/stored-exactly.json');
      expect(stored).not.toBeNull();
      expect(stored!.text).toBe(res.text);
      expect(stored!.contentType).toBe('application/json; charset=utf-8');
      expect(stored!.etag).toBe(res.headers.etag);
      // S3_PREFIX applies to every key the service writes (the deploy record included), not only to content.
      const keys = await bucket.keys();
      expect(keys.filter((key) => !key.startsWith('site/content/'))).toEqual([]);
      expect(keys.filter((key) => key.startsWith('site/content/authors/'))).toContain(
        'site/content/authors/stored-exactly.json',
      );
    });

    it('round-trips Hangul and emoji exactly and generates a valid id when the name has no ASCII letters', async () => {
      const name = '김민수 🚀';
      const bio = '안녕하세요! 👩🏽‍💻 Family: 👨‍👩‍👧‍👦 — “quotes” & ñ';
      const res = await request(url).post('/authors').send({ name, bio }).expect(201);
      expect(res.body.id).toMatch(/^author-[a-z0-9]{8}$/);
      expect(res.body).toMatchObject({ name, bio });
      const got = await request(url).get(`/authors/${res.body.id}`).expect(200);
      expect(got.body).toMatchObject({ name, bio });
      const stored = await bucket.entity('authors', res.body.id);
      expect(JSON.parse(stored!.text)).toMatchObject({ name, bio });
      expect(stored!.text).toBe(got.text);
    });

    it('generates a unique id when the derived slug is taken', async () => {
      const first = await create(url, 'authors', { name: 'Same Name' });
      const second = await create(url, 'authors', { name: 'Same Name' });
      expect(first.doc.id).toBe('same-name');
      expect(second.doc.id).toMatch(/^same-name-[a-z0-9]{8}$/);
    });

    it('uses an explicit id, and answers 409 when that id is taken (leaving the stored one alone)', async () => {
      await create(url, 'authors', { id: 'chosen-id', name: 'First' });
      const res = await request(url).post('/authors').send({ id: 'chosen-id', name: 'Second' }).expect(409);
      expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('chosen-id') });
      expect(JSON.parse((await bucket.entity('authors', 'chosen-id'))!.text).name).toBe('First');
    });

    it('treats a null id as absent', async () => {
      const res = await request(url).post('/authors').send({ id: null, name: 'Null Id', title: null }).expect(201);
      expect(res.body.id).toBe('null-id');
      expect('title' in res.body).toBe(false);
    });

    it('refuses unknown fields, naming them, and bad fields, naming each', async () => {
      const unknown = await request(url)
        .post('/authors')
        .send({ name: 'X', nickname: 'x', createdAt: '2020-01-01T00:00:00Z' })
        .expect(400);
      expect(unknown.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(Array) });
      expect(messageOf(unknown)).toContain('nickname');
      expect(messageOf(unknown)).toContain('createdAt');
      const bad = await request(url)
        .post('/authors')
        .send({
          name: 'x'.repeat(101),
          title: 't'.repeat(101),
          bio: 'b'.repeat(2001),
          avatarUrl: 'javascript:alert(1)',
          links: [{ label: 'ok', url: 'nope' }],
          id: 'Bad Id',
        })
        .expect(400);
      for (const field of ['name', 'title', 'bio', 'avatarUrl', 'links.0.url', 'id'])
        expect(messageOf(bad)).toContain(field);
      const tooMany = await request(url)
        .post('/authors')
        .send({ name: 'x', links: Array.from({ length: 11 }, () => ({ label: 'l', url: 'https://e.com' })) })
        .expect(400);
      expect(messageOf(tooMany)).toContain('links');
      const empty = await request(url).post('/authors').send({}).expect(400);
      expect(messageOf(empty)).toContain('name');
    });
  });

  describe('GET /authors/:id', () => {
    it('answers 200 with the ETag, and 304 for a current If-None-Match', async () => {
      const { doc, etag } = await create(url, 'authors', { name: 'Cache Me' });
      const got = await request(url).get(`/authors/${doc.id}`).expect(200);
      expect(got.body).toEqual(doc);
      expect(got.headers.etag).toBe(etag);
      const notModified = await request(url).get(`/authors/${doc.id}`).set('If-None-Match', etag).expect(304);
      expect(notModified.text).toBe('');
      await request(url).get(`/authors/${doc.id}`).set('If-None-Match', `"other", W/${etag}`).expect(304);
      await request(url).get(`/authors/${doc.id}`).set('If-None-Match', '"stale"').expect(200);
    });

    it('answers 404 in the error shape for a missing author', async () => {
      const res = await request(url).get('/authors/nobody-here').expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: expect.stringContaining('nobody-here'),
      });
    });
  });

  describe('PUT /authors/:id', () => {
    it('replaces every editable field and keeps createdAt', async () => {
      const { doc, etag } = await create(url, 'authors', { name: 'Put Me', title: 'Old', bio: 'Old bio' });
      const res = await request(url)
        .put(`/authors/${doc.id}`)
        .set('If-Match', etag)
        .send({
          ...doc,
          name: 'Put Me Again',
          title: undefined,
          createdAt: '2000-01-01T00:00:00.000Z',
          updatedAt: '2000-01-01T00:00:00.000Z',
        })
        .expect(200);
      expect(res.body).toEqual({
        id: doc.id,
        name: 'Put Me Again',
        bio: 'Old bio',
        createdAt: doc.createdAt,
        updatedAt: expect.stringMatching(ISO),
      });
      expect(res.body.updatedAt >= doc.updatedAt).toBe(true);
      expect(res.headers.etag).not.toBe(etag);
      expect((await bucket.entity('authors', doc.id))!.text).toBe(res.text);
    });

    it('answers 412 for a stale If-Match and leaves S3 unchanged; 404 for a missing author; 400 for another id', async () => {
      const { doc, etag } = await create(url, 'authors', { name: 'Guarded' });
      await request(url).patch(`/authors/${doc.id}`).send({ title: 'Changed' }).expect(200);
      const before = (await bucket.entity('authors', doc.id))!.text;
      const res = await request(url)
        .put(`/authors/${doc.id}`)
        .set('If-Match', etag)
        .send({ name: 'Lost update' })
        .expect(412);
      expect(res.body).toEqual({ statusCode: 412, error: 'Precondition Failed', message: expect.any(String) });
      expect((await bucket.entity('authors', doc.id))!.text).toBe(before);
      await request(url).put('/authors/missing-author').send({ name: 'X' }).expect(404);
      expect(
        messageOf(await request(url).put(`/authors/${doc.id}`).send({ id: 'other', name: 'X' }).expect(400)),
      ).toContain('id');
      expect(messageOf(await request(url).put(`/authors/${doc.id}`).send({ title: 'no name' }).expect(400))).toContain(
        'name',
      );
    });
  });

  describe('PATCH /authors/:id', () => {
    it('changes only the given fields; null clears an optional field', async () => {
      const { doc, etag } = await create(url, 'authors', { name: 'Patch Me', title: 'Writer', bio: 'Bio' });
      const res = await request(url)
        .patch(`/authors/${doc.id}`)
        .set('If-Match', etag)
        .send({ title: null, bio: 'New bio' })
        .expect(200);
      expect(res.body).toEqual({
        id: doc.id,
        name: 'Patch Me',
        bio: 'New bio',
        createdAt: doc.createdAt,
        updatedAt: expect.stringMatching(ISO),
      });
      expect(res.headers.etag).not.toBe(etag);
      expect((await bucket.entity('authors', doc.id))!.text).toBe(res.text);
    });

    it('refuses null on a required field (400 naming it), a stale If-Match (412) and a missing author (404)', async () => {
      const { doc, etag } = await create(url, 'authors', { name: 'Keep Name' });
      expect(messageOf(await request(url).patch(`/authors/${doc.id}`).send({ name: null }).expect(400))).toContain(
        'name',
      );
      expect(messageOf(await request(url).patch(`/authors/${doc.id}`).send({ name: 5 }).expect(400))).toContain('name');
      expect(messageOf(await request(url).patch(`/authors/${doc.id}`).send({ unknown: 1 }).expect(400))).toContain(
        'unknown',
      );
      await request(url).patch(`/authors/${doc.id}`).send({ bio: 'v2' }).expect(200);
      await request(url).patch(`/authors/${doc.id}`).set('If-Match', etag).send({ bio: 'v3' }).expect(412);
      expect(JSON.parse((await bucket.entity('authors', doc.id))!.text).bio).toBe('v2');
      await request(url).patch('/authors/missing-author').send({ bio: 'x' }).expect(404);
    });
  });

  describe('DELETE /authors/:id', () => {
    it('answers 412 for a stale If-Match, 204 with a current one, then 404; the object is gone from S3', async () => {
      const { doc, etag } = await create(url, 'authors', { name: 'Delete Me' });
      const patched = await request(url).patch(`/authors/${doc.id}`).send({ bio: 'changed' }).expect(200);
      const stale = await request(url).delete(`/authors/${doc.id}`).set('If-Match', etag).expect(412);
      expect(stale.body).toMatchObject(ERROR_SHAPE);
      expect(await bucket.entity('authors', doc.id)).not.toBeNull();
      await request(url).delete(`/authors/${doc.id}`).set('If-Match', patched.headers.etag).expect(204);
      expect(await bucket.entity('authors', doc.id)).toBeNull();
      await request(url).get(`/authors/${doc.id}`).expect(404);
      await request(url).delete(`/authors/${doc.id}`).expect(404);
    });
  });
});
