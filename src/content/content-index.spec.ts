import { RedisService } from '../redis/redis.service';
import { ListedObject, S3StorageService, StoredObject } from '../storage/s3-storage.service';
import { ContentIndex, INDEX_MAX_STALENESS_MS, INDEX_REFRESH_AHEAD_MS } from './content-index';
import { Listable } from './paging';

// Unit level: the interleavings below cannot be produced on demand against real servers, so S3 and Redis are
// small in-memory fakes here. test/content-index.e2e-spec.ts covers the same rules against the real ones.

interface Doc extends Listable {
  name: string;
}

/** An S3 folder in memory whose listings can be held back, to interleave a revalidation with writes. */
class FakeBucket {
  readonly objects = new Map<string, StoredObject>();
  gets = 0;
  listings = 0;
  private version = 0;
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  put(key: string, body: string): string {
    const etag = `"e${++this.version}"`;
    this.objects.set(key, { body, etag });
    return etag;
  }

  holdListings(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  releaseListings(): void {
    this.openGate?.();
    this.gate = null;
  }

  storage(): S3StorageService {
    const fake: Pick<S3StorageService, 'list' | 'getText'> = {
      list: async (prefix: string): Promise<ListedObject[]> => {
        // The listing reflects the bucket when it was asked for, however late the answer comes.
        this.listings++;
        const listed = [...this.objects].filter(([key]) => key.startsWith(prefix)).map(([key, o]) => ({ key, etag: o.etag }));
        if (this.gate) await this.gate;
        return listed;
      },
      getText: (key: string) => {
        this.gets++;
        return Promise.resolve(this.objects.get(key) ?? null);
      },
    };
    return fake as S3StorageService;
  }
}

function fakeRedis(store: Map<string, string>): RedisService {
  const client = {
    get: (key: string) => Promise.resolve(store.get(key) ?? null),
    set: (key: string, value: string, nx?: 'NX') => {
      if (nx && store.has(key)) return Promise.resolve(null);
      store.set(key, value);
      return Promise.resolve('OK');
    },
  };
  return { client, key: (...parts: string[]) => ['blog', ...parts].join(':') } as unknown as RedisService;
}

const doc = (id: string, name = id, updatedAt = '2025-01-01T00:00:00.000Z'): Doc => ({ id, name, updatedAt });
const ids = (docs: Doc[]) => docs.map((d) => d.id).sort();
/** Lets every pending promise callback run, so a revalidation that was started has issued its listing. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ContentIndex', () => {
  let bucket: FakeBucket;
  let redisData: Map<string, string>;
  let one: ContentIndex<Doc>;
  let two: ContentIndex<Doc>;

  /** A write as ContentRepository does it: S3 first, then the index of the instance that wrote. */
  async function write(through: ContentIndex<Doc>, value: Doc): Promise<void> {
    const etag = bucket.put(`authors/${value.id}.json`, JSON.stringify(value));
    await through.remember(value, etag);
  }

  beforeEach(() => {
    bucket = new FakeBucket();
    redisData = new Map();
    one = new ContentIndex<Doc>('authors', bucket.storage(), fakeRedis(redisData));
    two = new ContentIndex<Doc>('authors', bucket.storage(), fakeRedis(redisData));
  });

  afterEach(() => {
    bucket.releaseListings();
    jest.useRealTimers();
  });

  it('lists newest first and fetches only objects whose ETag changed', async () => {
    bucket.put('authors/a.json', JSON.stringify(doc('a', 'A', '2025-01-01T00:00:00.000Z')));
    bucket.put('authors/b.json', JSON.stringify(doc('b', 'B', '2025-02-01T00:00:00.000Z')));
    expect((await one.all()).map((d) => d.id)).toEqual(['b', 'a']);
    expect(bucket.gets).toBe(2);

    await write(two, doc('a', 'A2', '2025-03-01T00:00:00.000Z'));
    expect((await one.all()).map((d) => d.name)).toEqual(['A2', 'B']);
    expect(bucket.gets).toBe(3);
  });

  it('a read that starts after a write sees it, even while an older revalidation is still listing', async () => {
    await write(two, doc('a'));
    await one.all();
    await write(two, doc('b'));

    bucket.holdListings();
    const early = one.all(); // revalidates; its listing predates the write below
    await settle();
    expect(bucket.listings).toBe(2);
    await write(two, doc('c'));
    const late = one.all(); // starts after the write was acknowledged
    bucket.releaseListings();

    expect(ids(await early)).toEqual(expect.arrayContaining(['a', 'b']));
    expect(ids(await late)).toEqual(['a', 'b', 'c']);
  });

  it('a delete through another instance is gone from the next read, even while an older revalidation is still listing', async () => {
    await write(two, doc('a'));
    await write(two, doc('b'));
    await one.all();
    await write(two, doc('c'));

    bucket.holdListings();
    const early = one.all();
    await settle();
    expect(bucket.listings).toBe(2);
    bucket.objects.delete('authors/b.json');
    await two.forget('b');
    const late = one.all();
    bucket.releaseListings();

    await early;
    expect(ids(await late)).toEqual(['a', 'c']);
  });

  it('a write through this instance is not lost to a revalidation that listed before it', async () => {
    await write(one, doc('a'));
    await one.all();
    await write(two, doc('b'));

    bucket.holdListings();
    const early = one.all();
    await settle();
    expect(bucket.listings).toBe(2);
    await write(one, doc('c'));
    const late = one.all();
    bucket.releaseListings();
    await early;

    expect(ids(await late)).toEqual(['a', 'b', 'c']);
    expect(ids(await one.all())).toEqual(['a', 'b', 'c']);
  });

  it('concurrent readers share one listing', async () => {
    await write(two, doc('a'));
    const [first, second, third] = await Promise.all([one.all(), one.all(), one.all()]);
    expect(bucket.listings).toBe(1);
    expect([ids(first), ids(second), ids(third)]).toEqual([['a'], ['a'], ['a']]);
  });

  it('edits made directly in the bucket show up once the staleness bound has passed, and not before', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    await write(two, doc('a', 'A'));
    await one.all();

    bucket.put('authors/a.json', JSON.stringify(doc('a', 'A-edited')));
    bucket.put('authors/x.json', JSON.stringify(doc('x')));
    expect((await one.all()).map((d) => d.name)).toEqual(['A']);

    jest.setSystemTime(Date.now() + INDEX_MAX_STALENESS_MS);
    expect((await one.all()).map((d) => d.name).sort()).toEqual(['A-edited', 'x']);

    bucket.objects.delete('authors/x.json');
    jest.setSystemTime(Date.now() + INDEX_MAX_STALENESS_MS);
    expect(ids(await one.all())).toEqual(['a']);
  });

  it('answers at once from a copy older than the refresh-ahead age and revalidates in the background', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    await write(two, doc('a'));
    await one.all();
    bucket.put('authors/b.json', JSON.stringify(doc('b')));

    jest.setSystemTime(Date.now() + INDEX_REFRESH_AHEAD_MS);
    bucket.holdListings();
    expect(ids(await one.all())).toEqual(['a']); // did not wait for the held listing
    bucket.releaseListings();
    await settle();
    expect(ids(await one.all())).toEqual(['a', 'b']);
  });

  it('skips objects that are not valid documents, fetches them again only when they change, and drops a document spoiled in place', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    await write(two, doc('a'));
    await write(two, doc('b'));
    bucket.put('authors/broken.json', '{ not json');
    bucket.put('authors/wrong-id.json', JSON.stringify(doc('other')));
    bucket.put('authors/no-name.json', JSON.stringify({ id: 'no-name', updatedAt: '2025-01-01T00:00:00.000Z' }));
    bucket.put('authors/readme.txt', 'not a document key');
    expect(ids(await one.all())).toEqual(['a', 'b']);

    const gets = bucket.gets;
    jest.setSystemTime(Date.now() + INDEX_MAX_STALENESS_MS);
    await one.all();
    expect(bucket.gets).toBe(gets);

    bucket.put('authors/b.json', '[]');
    bucket.put('authors/broken.json', JSON.stringify(doc('broken')));
    jest.setSystemTime(Date.now() + INDEX_MAX_STALENESS_MS);
    expect(ids(await one.all())).toEqual(['a', 'broken']);
  });

  it('re-creates a version token Redis lost, so a copy cannot mistake a new token for one it has seen', async () => {
    await write(two, doc('a'));
    await one.all();
    redisData.clear(); // Redis restarted without its data
    await one.all();
    expect(redisData.size).toBe(1);
    const token = [...redisData.values()][0];
    await write(two, doc('b'));
    expect([...redisData.values()][0]).not.toBe(token);
    expect(ids(await one.all())).toEqual(['a', 'b']);
  });
});
