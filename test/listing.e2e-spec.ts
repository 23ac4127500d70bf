import request from 'supertest';
import { create, listAll, messageOf } from './support/content-api';
import { RunningApp, TestStack, startApp } from './support/stack';

interface Item {
  id: string;
  updatedAt: string;
  status?: string;
  tags?: string[];
  authorIds?: string[];
}

function expectNewestFirst(items: Item[]): void {
  for (let i = 1; i < items.length; i++) {
    const [a, b] = [items[i - 1], items[i]];
    expect(a.updatedAt > b.updatedAt || (a.updatedAt === b.updatedAt && a.id < b.id)).toBe(true);
  }
}

/** GET /authors and GET /posts: paging, order, filters and query validation. */
describe('listings', () => {
  let stack: TestStack;
  let running: RunningApp;
  let other: RunningApp;
  let url: string;
  const authorIds: string[] = [];

  beforeAll(async () => {
    stack = await TestStack.start();
    const config = stack.config();
    running = await startApp(config);
    // A second instance on the same Redis and bucket: its listings must see writes made through the first.
    other = await startApp(config);
    url = running.url;
    for (let i = 0; i < 23; i++) authorIds.push((await create<Item>(url, 'authors', { name: `Author ${i}` })).doc.id);
    const posts = [
      { title: 'Draft by 0', authorIds: [authorIds[0]], tags: ['go'] },
      { title: 'Live by 0', authorIds: [authorIds[0]], tags: ['go', 'rust'], status: 'published' },
      { title: 'Live by 1', authorIds: [authorIds[1]], tags: ['rust'], status: 'published' },
      { title: 'Live by both', authorIds: [authorIds[0], authorIds[1]], status: 'published' },
      { title: 'Draft by 2', authorIds: [authorIds[2]], tags: ['한국어'] },
    ];
    for (const post of posts) await create(url, 'posts', { body: 'x', ...post });
  });

  afterAll(async () => {
    await other?.close();
    await running?.close();
    await stack?.stop();
  });

  it('pages authors 20 at a time by default, newest updatedAt first, with nextCursor', async () => {
    const first = await request(url).get('/authors').expect(200);
    expect(Object.keys(first.body).sort()).toEqual(['items', 'nextCursor']);
    expect(first.body.items).toHaveLength(20);
    expect(typeof first.body.nextCursor).toBe('string');
    expect(first.body.items[0].id).toBe(authorIds[22]);
    const second = await request(url).get('/authors').query({ cursor: first.body.nextCursor }).expect(200);
    expect(second.body.items.map((a: Item) => a.id)).toEqual([authorIds[2], authorIds[1], authorIds[0]]);
    expect(second.body.nextCursor).toBeNull();
    expect((await request(url).get('/authors').query({ limit: 100 }).expect(200)).body).toEqual({
      items: [...first.body.items, ...second.body.items],
      nextCursor: null,
    });
  });

  it('walks every author exactly once at any page size, and an edit moves an author to the front', async () => {
    await request(url).patch(`/authors/${authorIds[5]}`).send({ bio: 'edited' }).expect(200);
    for (const limit of [1, 7, 23]) {
      const { items, pages } = await listAll<Item>(url, '/authors', limit);
      expect(items.map((a) => a.id).sort()).toEqual([...authorIds].sort());
      expect(pages).toBe(Math.ceil(23 / limit));
      expectNewestFirst(items);
      expect(items[0].id).toBe(authorIds[5]);
    }
  });

  it('filters posts by authorId, tag and status, alone and combined, newest first', async () => {
    const titles = async (query: Record<string, string>) => {
      const res = await request(url).get('/posts').query(query).expect(200);
      expectNewestFirst(res.body.items);
      return (res.body.items as { title: string }[]).map((p) => p.title);
    };
    expect(await titles({})).toEqual(['Draft by 2', 'Live by both', 'Live by 1', 'Live by 0', 'Draft by 0']);
    expect(await titles({ authorId: authorIds[0] })).toEqual(['Live by both', 'Live by 0', 'Draft by 0']);
    expect(await titles({ tag: 'rust' })).toEqual(['Live by 1', 'Live by 0']);
    expect(await titles({ tag: '한국어' })).toEqual(['Draft by 2']);
    expect(await titles({ status: 'draft' })).toEqual(['Draft by 2', 'Draft by 0']);
    expect(await titles({ status: 'published', authorId: authorIds[1] })).toEqual(['Live by both', 'Live by 1']);
    expect(await titles({ status: 'published', tag: 'go', authorId: authorIds[0] })).toEqual(['Live by 0']);
    expect(await titles({ authorId: 'nobody' })).toEqual([]);
    const paged = await listAll<Item>(url, `/posts?status=published`, 2);
    expect(paged.items).toHaveLength(3);
    expect(paged.pages).toBe(2);
  });

  it('shows a write made through one instance in the listings of another at once', async () => {
    const { doc } = await create<Item>(url, 'posts', { title: 'Fresh', body: 'x', authorIds: [authorIds[3]] });
    const seen = await request(other.url).get('/posts').query({ authorId: authorIds[3] }).expect(200);
    expect(seen.body.items.map((p: Item) => p.id)).toEqual([doc.id]);
    await request(url).delete(`/posts/${doc.id}`).expect(204);
    expect((await request(other.url).get('/posts').query({ authorId: authorIds[3] }).expect(200)).body.items).toEqual(
      [],
    );
  });

  it.each([
    ['/authors?limit=0', 'limit'],
    ['/authors?limit=101', 'limit'],
    ['/authors?limit=abc', 'limit'],
    ['/authors?limit=1.5', 'limit'],
    ['/authors?limit=', 'limit'],
    ['/authors?cursor=not-a-cursor', 'cursor'],
    [`/authors?cursor=${Buffer.from('{"a":1}').toString('base64url')}`, 'cursor'],
    ['/authors?sort=name', 'sort'],
    ['/authors?authorId=ann', 'authorId'],
    ['/posts?status=archived', 'status'],
    ['/posts?authorId=Not_An_Id', 'authorId'],
    ['/posts?tag=', 'tag'],
    ['/posts?limit=5&limit=6', 'limit'],
    ['/posts?__proto__=1', '__proto__'],
  ])('answers 400 naming the problem for %s', async (path, field) => {
    const res = await request(url).get(path).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.anything() });
    expect(messageOf(res)).toContain(field);
  });
});
