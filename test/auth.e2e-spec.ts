import request from 'supertest';
import { RunningApp, TestStack, startApp } from './support/stack';

const TOKENS = ['first-token-value', 'second-token-value'];

/** Bearer auth with API_TOKENS set: every route but /health and /health/ready. */
describe('bearer auth', () => {
  let stack: TestStack;
  let running: RunningApp;
  let url: string;

  beforeAll(async () => {
    stack = await TestStack.start();
    running = await startApp(stack.config({ API_TOKENS: TOKENS.join(',') }));
    url = running.url;
  });

  afterAll(async () => {
    await running?.close();
    await stack?.stop();
  });

  const routes: [string, string, object?][] = [
    ['post', '/authors', { name: 'Jane' }],
    ['get', '/authors'],
    ['get', '/authors/jane'],
    ['put', '/authors/jane', { name: 'Jane' }],
    ['patch', '/authors/jane', { bio: 'x' }],
    ['delete', '/authors/jane'],
    ['post', '/posts', { title: 'T', body: 'B', authorIds: ['jane'] }],
    ['get', '/posts'],
    ['get', '/posts/hello'],
    ['put', '/posts/hello', { title: 'T', body: 'B', authorIds: ['jane'] }],
    ['patch', '/posts/hello', { body: 'x' }],
    ['delete', '/posts/hello'],
  ];

  const call = (method: string, path: string, body?: object) => {
    const test = (request(url) as unknown as Record<string, (path: string) => request.Test>)[method](path);
    return body ? test.send(body) : test;
  };

  // Objects, not rows: a row shorter than the callback's parameter list makes jest pass `done` as the last one.
  it.each(routes.map(([method, path, body]) => ({ method, path, body })))(
    '$method $path without a token, with a wrong one or a wrong scheme -> 401 JSON',
    async ({ method, path, body }) => {
      for (const authorization of [
        undefined,
        'Bearer wrong-token',
        `Bearer ${TOKENS[0]}x`,
        `Basic ${TOKENS[0]}`,
        TOKENS[0],
        'Bearer ',
        `Bearer ${TOKENS[0]} extra`,
      ]) {
        const test = call(method, path, body);
        if (authorization !== undefined) test.set('Authorization', authorization);
        const res = await test;
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.headers.etag).toBeUndefined();
        expect(res.text).not.toContain(TOKENS[0]);
        expect(res.text).not.toContain(TOKENS[1]);
      }
    },
  );

  it.each([
    ['malformed JSON', 'application/json', '{"name": '],
    ['an oversized body', 'application/json', JSON.stringify({ name: 'x'.repeat(4 * 1024 * 1024) })],
    ['a body that is not JSON', 'text/plain', 'name=Jane'],
    ['a JSON body with an unknown charset', 'application/json; charset=ebcdic', '{}'],
    ['a hostile key', 'application/json', '{"__proto__": {"admin": true}}'],
  ])('checks the token before reading the body: %s without a token -> 401', async (_case, type, body) => {
    for (const path of ['/authors', '/posts']) {
      const res = await request(url).post(path).set('Content-Type', type).send(body);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    const authorized = await request(url)
      .post('/authors')
      .set('Authorization', `Bearer ${TOKENS[0]}`)
      .set('Content-Type', type)
      .send(body);
    expect([400, 413, 415]).toContain(authorized.status);
  });

  it('accepts every configured token', async () => {
    await request(url)
      .post('/authors')
      .set('Authorization', `Bearer ${TOKENS[0]}`)
      .send({ id: 'jane', name: 'Jane' })
      .expect(201);
    await request(url).get('/authors/jane').set('Authorization', `Bearer ${TOKENS[1]}`).expect(200);
    await request(url).get('/authors').set('Authorization', `bearer ${TOKENS[1]}`).expect(200);
    await request(url)
      .patch('/authors/jane')
      .set('Authorization', `Bearer ${TOKENS[0]}`)
      .send({ bio: 'ok' })
      .expect(200);
  });

  it('an unauthenticated request changes nothing', async () => {
    await request(url).patch('/authors/jane').send({ bio: 'hacked' }).expect(401);
    await request(url).delete('/authors/jane').expect(401);
    const res = await request(url).get('/authors/jane').set('Authorization', `Bearer ${TOKENS[0]}`).expect(200);
    expect(res.body.bio).toBe('ok');
  });

  it('/health and /health/ready need no token', async () => {
    await request(url).get('/health').expect(200);
    await request(url).get('/health/ready').expect(200);
  });
});
