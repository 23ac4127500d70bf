import request, { Response } from 'supertest';
import { startAppWithBucket, stopAppWithBucket } from './support/bucket';
import { DirectS3 } from './support/direct-s3';
import { create, messageOf } from './support/content-api';
import { RunningApp, TestStack } from './support/stack';

/** Signs of internals leaking into a response: stack frames, source paths, module folders. */
const LEAK = /\bat .+\(|\.ts:\d+|\.js:\d+|node_modules|\/work\/|Error: /;

const BAD_PATH_IDS = [
  '..',
  '.',
  '%2E%2E',
  'a%2Fb',
  '..%2Fauthors%2Fvictim',
  'a/b',
  '../authors/victim',
  'ABC',
  'Victim',
  '%ED%95%9C%EA%B8%80',
  'x'.repeat(65),
  '-a',
  'a-',
  'victim.json',
  'a%00b',
  'a%20b',
];

/** Hostile and malformed input (issue 2): always a 4xx in the error shape, nothing read or written in S3, no crash. */
describe('hostile input', () => {
  let stack: TestStack;
  let running: RunningApp;
  let bucket: DirectS3;
  let url: string;
  let keysBefore: string[];
  const seen: Response[] = [];

  /** Every response is kept, to check at the end that none leaked internals. */
  const send = async (test: request.Test): Promise<Response> => {
    const res = await test;
    seen.push(res);
    return res;
  };

  const expectClientError = (res: Response, status: number): void => {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ statusCode: status, error: expect.any(String), message: expect.anything() });
  };

  beforeAll(async () => {
    ({ stack, running, bucket, url } = await startAppWithBucket());
    await create(url, 'authors', { id: 'victim', name: 'Victim' });
    await create(url, 'posts', { id: 'target', title: 'Target', body: 'x', authorIds: ['victim'] });
    keysBefore = await bucket.keys();
  });

  afterAll(() => stopAppWithBucket({ stack, running, bucket }));

  describe.each(['authors', 'posts'])('a bad id in the path of /%s/:id', (collection) => {
    it.each(BAD_PATH_IDS)('%s -> 400 for GET, PUT, PATCH and DELETE', async (id) => {
      const path = `/${collection}/${id}`;
      const body =
        collection === 'authors' ? { name: 'Overwritten' } : { title: 'Overwritten', body: 'x', authorIds: ['victim'] };
      for (const res of [
        await send(request(url).get(path)),
        await send(request(url).put(path).send(body)),
        await send(request(url).patch(path).send(body)),
        await send(request(url).delete(path)),
      ]) {
        expectClientError(res, 400);
        expect(messageOf(res)).toContain('id');
      }
    });
  });

  it('a path that escapes a collection never reads the object it points at', async () => {
    const res = await send(request(url).get('/posts/..%2Fauthors%2Fvictim'));
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('Victim');
  });

  it('refuses malformed JSON and non-object bodies with 400', async () => {
    const raw = (path: string, text: string) =>
      send(request(url).post(path).set('Content-Type', 'application/json').send(text));
    for (const text of [
      '{"name":',
      '{name: "x"}',
      "{'name':'x'}",
      '{"name":"x"}}',
      '',
      'null',
      '"just a string"',
      '42',
      'true',
      '[{"name":"x"}]',
      '[]',
    ]) {
      expectClientError(await raw('/authors', text), 400);
    }
    expect(messageOf(await raw('/authors', '{"name":'))).toContain('JSON');
    expectClientError(
      await send(request(url).put('/authors/victim').set('Content-Type', 'application/json').send('[{"name":"x"}]')),
      400,
    );
  });

  it('refuses a write whose body is not JSON with 415 instead of treating it as empty', async () => {
    expectClientError(
      await send(request(url).patch('/authors/victim').set('Content-Type', 'text/plain').send('name=Hacked')),
      415,
    );
    expectClientError(
      await send(
        request(url).post('/authors').set('Content-Type', 'application/x-www-form-urlencoded').send('name=Form'),
      ),
      415,
    );
    expectClientError(
      await send(request(url).put('/authors/victim').set('Content-Type', 'application/xml').send('<name>x</name>')),
      415,
    );
  });

  it('refuses wrong types, naming the field', async () => {
    const cases: [string, object, string][] = [
      ['/authors', { name: 123 }, 'name'],
      ['/authors', { name: ['x'] }, 'name'],
      ['/authors', { name: 'x', links: 'https://e.com' }, 'links'],
      ['/authors', { name: 'x', links: ['https://e.com'] }, 'links'],
      ['/authors', { name: 'x', links: [[]] }, 'links'],
      ['/authors', { name: 'x', links: [{ label: 1, url: 'https://e.com' }] }, 'label'],
      ['/authors', { name: 'x', id: 7 }, 'id'],
      ['/posts', { title: 'x', body: { md: 'x' }, authorIds: ['victim'] }, 'body'],
      ['/posts', { title: 'x', body: 'x', authorIds: 'victim' }, 'authorIds'],
      ['/posts', { title: 'x', body: 'x', authorIds: [1] }, 'authorIds'],
      ['/posts', { title: 'x', body: 'x', authorIds: ['victim'], tags: [1, 2] }, 'tags'],
      ['/posts', { title: 'x', body: 'x', authorIds: ['victim'], status: true }, 'status'],
      ['/posts', { title: true, body: 'x', authorIds: ['victim'] }, 'title'],
    ];
    for (const [path, body, field] of cases) {
      const res = await send(request(url).post(path).send(body));
      expectClientError(res, 400);
      expect(messageOf(res)).toContain(field);
    }
    expectClientError(
      await send(
        request(url)
          .patch('/posts/target')
          .send({ authorIds: { 0: 'victim' } }),
      ),
      400,
    );
  });

  it('refuses __proto__, constructor and prototype keys anywhere, and nothing is polluted', async () => {
    const bodies = [
      '{"name":"x","__proto__":{"polluted":true}}',
      '{"name":"x","constructor":{"prototype":{"polluted":true}}}',
      '{"name":"x","prototype":{"polluted":true}}',
      '{"name":"x","links":[{"label":"a","url":"https://e.com","__proto__":{"polluted":true}}]}',
    ];
    for (const text of bodies) {
      for (const test of [
        request(url).post('/authors'),
        request(url).patch('/authors/victim'),
        request(url).put('/authors/victim'),
      ]) {
        const res = await send(test.set('Content-Type', 'application/json').send(text));
        expectClientError(res, 400);
        expect(messageOf(res)).toMatch(/__proto__|constructor|prototype/);
      }
    }
    expectClientError(await send(request(url).get('/posts?__proto__[polluted]=1')), 400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse((await bucket.entity('authors', 'victim'))!.text).name).toBe('Victim');
  });

  it('refuses deep nesting', async () => {
    for (const depth of [20, 1_000, 100_000]) {
      const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const res = await send(
        request(url).post('/authors').set('Content-Type', 'application/json').send(`{"name":"x","links":${nested}}`),
      );
      expectClientError(res, 400);
    }
  });

  it('refuses a post body over 1 MiB of UTF-8 (400 naming body) and a request over the 3 MB limit (413)', async () => {
    const overByBytes = '한'.repeat(349_526); // under 1 Mi characters, over 1 MiB in UTF-8
    const res = await send(
      request(url)
        .post('/posts')
        .send({ title: 'Big', body: overByBytes, authorIds: ['victim'] }),
    );
    expectClientError(res, 400);
    expect(messageOf(res)).toContain('body');
    const patched = await send(
      request(url)
        .patch('/posts/target')
        .send({ body: 'a'.repeat(1024 * 1024 + 1) }),
    );
    expectClientError(patched, 400);
    const huge = await send(
      request(url)
        .post('/posts')
        .send({ title: 'Huge', body: 'a'.repeat(3.5 * 1024 * 1024), authorIds: ['victim'] }),
    );
    expectClientError(huge, 413);
  });

  it('wrote nothing to S3, still answers /health, and leaked no internals in any response', async () => {
    expect(await bucket.keys()).toEqual(keysBefore);
    expect(JSON.parse((await bucket.entity('posts', 'target'))!.text).body).toBe('x');
    await request(url).get('/health').expect(200);
    await request(url).get('/health/ready').expect(200);
    expect(seen.length).toBeGreaterThan(100);
    for (const res of seen) expect(res.text).not.toMatch(LEAK);
  });
});
