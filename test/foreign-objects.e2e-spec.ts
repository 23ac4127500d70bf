import request from 'supertest';
import { create, messageOf } from './support/content-api';
import { DirectS3 } from './support/direct-s3';
import { S3Interposer } from './support/s3-interposer';
import { RunningApp, StackOptions, TestStack, startApp } from './support/stack';

const PREFIX = 'site/';
const NOW = '2026-01-01T00:00:00.000Z';
const post = (id: string, extra: object = {}) => ({
  id,
  title: `Post ${id}`,
  body: 'Text',
  authorIds: ['ann'],
  status: 'draft',
  publishedAt: null,
  createdAt: NOW,
  updatedAt: NOW,
  ...extra,
});

/**
 * Objects written straight into the bucket (corrupt JSON, another schema, a copy of another entity's object)
 * and writers racing the service, against two S3 servers: moto, which enforces If-Match like AWS, and the
 * default one: the in-process emulator, which ignores it (there the Redis lock alone orders the service's own
 * writes), or MinIO where the run has Docker. What a race must end in follows what the server enforces.
 */
const BACKENDS: [string, StackOptions][] = [
  ['moto', { s3: 'moto' }],
  ['the default S3 server', {}],
];

describe.each(BACKENDS)('objects changed behind the service, on %s', (_name, backend) => {
  let stack: TestStack;
  let interposer: S3Interposer;
  let running: RunningApp;
  let direct: DirectS3;
  /** Whether the server refuses stale conditional writes (moto, MinIO, AWS) or ignores them (the in-process one). */
  let enforces: boolean;
  let url: string;
  const raw = {
    put: (key: string, text: string) => direct.putText(PREFIX + key, text),
    text: async (key: string) => (await direct.object(PREFIX + key))?.text ?? null,
  };

  beforeAll(async () => {
    stack = await TestStack.start(backend);
    interposer = await S3Interposer.start(stack.s3.endpoint);
    running = await startApp(stack.config({ S3_ENDPOINT: interposer.endpoint, S3_PREFIX: PREFIX }));
    direct = new DirectS3(stack.s3, running.config.s3.bucket);
    enforces = await direct.enforcesConditionalWrites();
    url = running.url;
    await create(url, 'authors', { id: 'ann', name: 'Ann' });
  });

  afterAll(async () => {
    direct?.close();
    await running?.close();
    await interposer?.stop();
    await stack?.stop();
  });

  it('runs on the kind of server it says', () => {
    if (backend.s3 === 'moto') expect(enforces).toBe(true);
  });

  it.each([
    ['corrupt JSON', 'broken', '{not json', 'not valid JSON'],
    ['JSON that is not an object', 'array', '[1, 2]', 'not a JSON object'],
    [
      'a field out of bounds',
      'long-title',
      JSON.stringify(post('long-title', { title: 'x'.repeat(201) })),
      'title must be shorter than or equal to 200 characters',
    ],
    ['a missing field', 'no-body', JSON.stringify({ ...post('no-body'), body: undefined }), 'body is required'],
    [
      'an unknown field',
      'extra',
      JSON.stringify(post('extra', { draftNotes: 'x' })),
      'property draftNotes should not exist',
    ],
  ])(
    '%s: GET is a 422 naming the key and the problem, lists skip it, PATCH is a 422, PUT replaces it, DELETE removes it',
    async (_case, id, text, problem) => {
      await raw.put(`posts/${id}.json`, text);

      const got = await request(url).get(`/posts/${id}`).expect(422);
      expect(messageOf(got)).toContain(`${PREFIX}posts/${id}.json`);
      expect(messageOf(got)).toContain(problem);
      expect(got.headers.etag).toBeUndefined();
      const listed = await request(url).get('/posts').query({ limit: 100 }).expect(200);
      expect(listed.body.items.map((p: { id: string }) => p.id)).not.toContain(id);
      await request(url).patch(`/posts/${id}`).send({ title: 'Patched' }).expect(422);
      expect(await raw.text(`posts/${id}.json`)).toBe(text);

      const replaced = await request(url)
        .put(`/posts/${id}`)
        .send({ title: 'Replaced', body: 'New', authorIds: ['ann'] })
        .expect(200);
      expect(replaced.body).toMatchObject({ id, title: 'Replaced', status: 'draft', publishedAt: null });
      expect(JSON.parse((await raw.text(`posts/${id}.json`))!)).toEqual(replaced.body);

      await raw.put(`posts/${id}.json`, text);
      await request(url).delete(`/posts/${id}`).expect(204);
      expect(await raw.text(`posts/${id}.json`)).toBeNull();
    },
  );

  it("a copy of another post's object is not that post: the key's id decides, and nothing is written to the other key", async () => {
    const original = await create(url, 'posts', { id: 'post-4', title: 'Four', body: 'Body', authorIds: ['ann'] });
    const bytes = (await raw.text('posts/post-4.json'))!;
    await raw.put('posts/copy-of-4.json', bytes);

    const got = await request(url).get('/posts/copy-of-4').expect(422);
    expect(messageOf(got)).toContain(`${PREFIX}posts/copy-of-4.json`);
    expect(messageOf(got)).toContain('"post-4"');
    await request(url).patch('/posts/copy-of-4').send({ title: 'Edited copy' }).expect(422);

    const put = await request(url)
      .put('/posts/copy-of-4')
      .send({ title: 'Copy', body: 'Body', authorIds: ['ann'] })
      .expect(200);
    expect(put.body.id).toBe('copy-of-4');
    expect(JSON.parse((await raw.text('posts/copy-of-4.json'))!).id).toBe('copy-of-4');

    await raw.put('posts/copy-of-4.json', bytes);
    await request(url).delete('/posts/copy-of-4').expect(204);
    expect(await raw.text('posts/copy-of-4.json')).toBeNull();
    expect(await raw.text('posts/post-4.json')).toBe(bytes);
    const four = await request(url).get('/posts/post-4').expect(200);
    expect(four.headers.etag).toBe(original.etag);
  });

  it('an author object that is not valid can be removed, and a post crediting it is refused naming the key', async () => {
    await raw.put('authors/mangled.json', '{"id": "mangled"');
    const refused = await request(url)
      .post('/posts')
      .send({ title: 'T', body: 'B', authorIds: ['mangled'] })
      .expect(422);
    expect(messageOf(refused)).toContain(`${PREFIX}authors/mangled.json`);
    await request(url).delete('/authors/mangled').expect(204);
    expect(await raw.text('authors/mangled.json')).toBeNull();
  });

  /** Makes another tool rewrite posts/{id}.json just before the service's conditional write of it reaches S3. */
  function raceNextWrite(id: string, times = 1): void {
    interposer.interpose(
      (req) =>
        req.method === 'PUT' &&
        req.headers['if-match'] !== undefined &&
        req.path.includes(`/${PREFIX}posts/${id}.json`),
      async () => {
        const current = JSON.parse((await raw.text(`posts/${id}.json`))!) as { summary?: string };
        await raw.put(`posts/${id}.json`, JSON.stringify({ ...current, summary: `${current.summary ?? ''}+other` }));
      },
      times,
    );
  }

  it('a PATCH without If-Match that loses a race is applied again to the new version (or, with the lock alone, wins)', async () => {
    await create(url, 'posts', { id: 'raced', title: 'Raced', body: 'Body', authorIds: ['ann'], summary: 'start' });
    raceNextWrite('raced', 2);
    const res = await request(url).patch('/posts/raced').send({ title: 'Edited' }).expect(200);
    const stored = JSON.parse((await raw.text('posts/raced.json'))!) as { title: string; summary: string };
    expect(stored.title).toBe('Edited');
    // moto refused the two writes that raced another writer and the third kept every edit; the emulator cannot
    // tell that the object changed, so there the service's write replaces the other tool's.
    expect(stored.summary).toBe(enforces ? 'start+other+other' : 'start');
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
  });

  it('a PATCH with the If-Match the client read is a 412 when another writer changed the post meanwhile (where S3 can tell)', async () => {
    const created = await create(url, 'posts', {
      id: 'raced-2',
      title: 'Raced',
      body: 'Body',
      authorIds: ['ann'],
      summary: 'start',
    });
    raceNextWrite('raced-2');
    const res = await request(url).patch('/posts/raced-2').set('If-Match', created.etag).send({ title: 'Edited' });
    expect(res.status).toBe(enforces ? 412 : 200);
    if (enforces) expect(res.headers.etag).toBeUndefined();
  });

  it('a PATCH that loses every attempt is a 409 saying nothing was saved, not a 412 about a header the client never sent', async () => {
    await create(url, 'posts', {
      id: 'contended',
      title: 'Contended',
      body: 'Body',
      authorIds: ['ann'],
      summary: 'start',
    });
    raceNextWrite('contended', 100);
    const res = await request(url).patch('/posts/contended').send({ title: 'Edited' });
    interposer.interpose(
      () => false,
      async () => {},
    );
    expect(res.status).toBe(enforces ? 409 : 200);
    if (enforces) expect(messageOf(res)).toContain('nothing was saved');
  });
});
