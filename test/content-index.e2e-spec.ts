import { Redis } from 'ioredis';
import request from 'supertest';
import { AppConfig } from '../src/config/app-config';
import { CHANGE_LOG_LENGTH, RedisContentVersions } from '../src/content/content-version';
import { RedisService } from '../src/redis/redis.service';
import { create } from './support/content-api';
import { DirectS3 } from './support/direct-s3';
import { RunningApp, TestStack, startApp } from './support/stack';
import { waitFor } from './support/wait-for';

interface Item {
  id: string;
  title?: string;
  name?: string;
}

/**
 * The listing index (src/content/content-index.ts) across instances, against real Redis and S3: a write
 * acknowledged by one instance is in the very next listing of the other; edits made directly in the bucket
 * show up within the staleness bound (waited for, never slept on).
 */
// Out-of-band edits take up to the 5 s staleness bound to show up (INDEX_MAX_STALENESS_MS).
jest.setTimeout(60_000);

describe('listing index across instances', () => {
  let stack: TestStack;
  let config: AppConfig;
  let one: RunningApp;
  let two: RunningApp;
  let s3: DirectS3;
  let authorId: string;

  const listIds = async (url: string, path: string, query: Record<string, string> = {}): Promise<string[]> => {
    const res = await request(url)
      .get(path)
      .query({ limit: '100', ...query })
      .expect(200);
    return (res.body.items as Item[]).map((item) => item.id);
  };
  const listed = async (url: string, path = '/posts'): Promise<Item[]> =>
    (await request(url).get(path).query({ limit: '100' }).expect(200)).body.items as Item[];
  const post = (title: string, extra: object = {}) => ({
    title,
    body: `# ${title}`,
    authorIds: [authorId],
    status: 'published',
    ...extra,
  });

  /** Writes straight to the bucket with the AWS SDK, as an editor with console access would. */
  const putRaw = (folder: 'posts' | 'authors', id: string, body: string) => s3.putText(s3.entityKey(folder, id), body);
  const deleteRaw = (folder: 'posts' | 'authors', id: string) => s3.delete(s3.entityKey(folder, id));
  const rawPost = (id: string, title: string) =>
    JSON.stringify({
      id,
      title,
      body: 'edited in the bucket',
      authorIds: [authorId],
      status: 'published',
      publishedAt: null,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });

  beforeAll(async () => {
    stack = await TestStack.start();
    config = stack.config({ S3_PREFIX: 'site/' });
    one = await startApp(config);
    two = await startApp(config);
    s3 = new DirectS3(stack.s3, config.s3.bucket, config.s3.prefix);
    authorId = (await create<Item>(one.url, 'authors', { name: 'Index Author' })).doc.id;
  });

  afterAll(async () => {
    s3?.close();
    await two?.close();
    await one?.close();
    await stack?.stop();
  });

  it('lists an author created through one instance in the very next listing of the other', async () => {
    expect(await listIds(two.url, '/authors')).toEqual([authorId]);
    const second = await create<Item>(two.url, 'authors', { name: 'Second Author' });
    expect((await listIds(one.url, '/authors')).sort()).toEqual([second.doc.id, authorId].sort());
  });

  it('shows creates, updates and deletes through one instance in the next listing of the other, every time', async () => {
    await listIds(two.url, '/posts'); // the other instance holds a copy from before the writes
    for (let i = 0; i < 10; i++) {
      const { doc } = await create<Item>(one.url, 'posts', post(`Ping ${i}`));
      expect(await listIds(two.url, '/posts')).toContain(doc.id);

      await request(two.url)
        .patch(`/posts/${doc.id}`)
        .send({ title: `Pong ${i}` })
        .expect(200);
      expect((await listed(one.url)).find((item) => item.id === doc.id)?.title).toBe(`Pong ${i}`);

      await request(one.url).delete(`/posts/${doc.id}`).expect(204);
      expect(await listIds(two.url, '/posts')).not.toContain(doc.id);
    }
  });

  it('keeps that promise while writers on both instances keep the reader revalidating', async () => {
    let reading = true;
    // Every write replaces the version token, so these readers keep revalidations in flight on `two`: a write
    // acknowledged in the middle of one must not be answered from that one's older listing.
    const background = Array.from({ length: 3 }, async () => {
      while (reading) await request(two.url).get('/posts').query({ limit: '5' }).expect(200);
    });
    const writer = async (through: RunningApp, name: string): Promise<void> => {
      for (let i = 0; i < 12; i++) {
        const { doc } = await create<Item>(through.url, 'posts', post(`${name} ${i}`, { tags: [name] }));
        expect(await listIds(two.url, '/posts', { tag: name })).toContain(doc.id);
        if (i % 3 === 0) {
          await request(through.url).delete(`/posts/${doc.id}`).expect(204);
          expect(await listIds(two.url, '/posts', { tag: name })).not.toContain(doc.id);
        }
      }
    };
    try {
      await Promise.all([writer(one, 'w1'), writer(one, 'w2'), writer(one, 'w3'), writer(two, 'w4')]);
    } finally {
      reading = false;
      await Promise.all(background);
    }
  });

  it('picks up posts added, changed and deleted directly in the bucket within the staleness bound', async () => {
    const kept = await create<Item>(one.url, 'posts', post('Kept'));
    await listIds(one.url, '/posts');
    await listIds(two.url, '/posts');

    await putRaw('posts', 'out-of-band', rawPost('out-of-band', 'Added in the bucket'));
    await putRaw('posts', kept.doc.id, rawPost(kept.doc.id, 'Changed in the bucket'));
    for (const running of [one, two]) {
      await waitFor('the bucket edits in the listing', async () => {
        const items = await listed(running.url);
        const titles = new Map(items.map((item) => [item.id, item.title]));
        return (
          titles.get('out-of-band') === 'Added in the bucket' && titles.get(kept.doc.id) === 'Changed in the bucket'
        );
      });
    }

    await deleteRaw('posts', 'out-of-band');
    for (const running of [one, two]) {
      await waitFor(
        'the bucket delete in the listing',
        async () => !(await listIds(running.url, '/posts')).includes('out-of-band'),
      );
    }
  });

  it('leaves out objects that are not valid documents and keeps listing the rest', async () => {
    const good = await create<Item>(one.url, 'posts', post('Good'));
    await putRaw('posts', 'broken', '{ "id": "broken", "title": ');
    await putRaw('posts', 'wrong-shape', JSON.stringify({ id: 'wrong-shape', updatedAt: new Date().toISOString() }));
    await putRaw('posts', 'canary', rawPost('canary', 'Canary'));

    // The canary was written after the bad objects: once it is listed, the bad ones have been read too.
    await waitFor('the canary in the listing', async () => (await listIds(two.url, '/posts')).includes('canary'));
    const ids = await listIds(two.url, '/posts');
    expect(ids).toContain(good.doc.id);
    expect(ids).not.toContain('broken');
    expect(ids).not.toContain('wrong-shape');
    expect(await listIds(two.url, '/posts', { authorId })).not.toContain('wrong-shape');

    await putRaw('posts', 'broken', rawPost('broken', 'Fixed'));
    await waitFor('the fixed object in the listing', async () => (await listIds(two.url, '/posts')).includes('broken'));
    await deleteRaw('posts', 'broken');
    await deleteRaw('posts', 'wrong-shape');
    await deleteRaw('posts', 'canary');
  });

  describe('the version store on a real Redis', () => {
    let redis: RedisService;
    let versions: RedisContentVersions;

    beforeAll(() => {
      redis = one.app.get(RedisService);
      versions = new RedisContentVersions(redis, 'versions-test');
    });

    it('counts writes, logs the ids written and answers what changed between two counts', async () => {
      expect(await versions.read()).toBeNull();
      const start = (await versions.ensure())!;
      expect(start.n).toBe(0);
      expect(await versions.ensure()).toEqual(start);
      const bumps = [];
      for (const id of ['a', 'b', 'a', 'c']) bumps.push(await versions.bump(id));
      expect(bumps.map((v) => v!.n)).toEqual([1, 2, 3, 4]);
      expect(new Set(bumps.map((v) => v!.epoch))).toEqual(new Set([start.epoch]));
      expect(await versions.read()).toEqual({ epoch: start.epoch, n: 4 });
      expect((await versions.changedBetween(1, 4))!.sort()).toEqual(['a', 'b', 'c']);
      expect(await versions.changedBetween(3, 4)).toEqual(['c']);
      expect(await versions.changedBetween(4, 4)).toEqual([]);
    });

    it('answers null once the log no longer reaches back, and starts a new epoch when Redis lost the count', async () => {
      const before = (await versions.read())!;
      const pipeline = Array.from({ length: CHANGE_LOG_LENGTH + 1 }, (_, i) => versions.bump(`id-${i}`));
      const last = (await Promise.all(pipeline)).at(-1)!;
      expect(last.n).toBe(before.n + CHANGE_LOG_LENGTH + 1);
      expect(await versions.changedBetween(before.n, last.n)).toBeNull();
      expect(await versions.changedBetween(last.n - 1, last.n)).toEqual([`id-${CHANGE_LOG_LENGTH}`]);

      const direct = new Redis(one.config.redisUrl);
      await direct.del(
        redis.key('content', 'versions-test', 'version'),
        redis.key('content', 'versions-test', 'changes'),
      );
      direct.disconnect();
      const fresh = (await versions.bump('after-loss'))!;
      expect(fresh.n).toBe(1);
      expect(fresh.epoch).not.toBe(before.epoch);
    });
  });
});
