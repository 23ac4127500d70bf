import { AuthorDto } from '../authors/dto/author.dto';
import { RedisService } from '../redis/redis.service';
import { ListedObject, S3StorageService, StoredObject } from '../storage/s3-storage.service';
import { ContentIndex, INDEX_MAX_STALENESS_MS, INDEX_REFRESH_AHEAD_MS } from './content-index';
import { ContentVersion, ContentVersionStore } from './content-version';
import { Listable } from './paging';
import { StoredDocumentReader } from './stored-document';

// Unit level: the interleavings below cannot be produced on demand against real servers, so S3 and the
// Redis version store are small in-memory fakes here. test/content-index.e2e-spec.ts covers the same rules
// (and RedisContentVersions itself) against real Redis and S3.

interface Doc extends Listable {
  name: string;
  createdAt: string;
}

/** An S3 folder in memory whose answers can be held back, to interleave a refresh with writes. */
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

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = null;
  }

  storage(): S3StorageService {
    // Every answer reflects the bucket when it was asked for, however late it comes.
    const fake: Pick<S3StorageService, 'list' | 'getText' | 'objectKey'> = {
      objectKey: (key: string) => key,
      list: async (prefix: string): Promise<ListedObject[]> => {
        this.listings++;
        const listed = [...this.objects]
          .filter(([key]) => key.startsWith(prefix))
          .map(([key, o]) => ({ key, etag: o.etag }));
        if (this.gate) await this.gate;
        return listed;
      },
      getText: async (key: string) => {
        this.gets++;
        const stored = this.objects.get(key) ?? null;
        if (this.gate) await this.gate;
        return stored;
      },
    };
    return fake as S3StorageService;
  }
}

/** The version hash and change log of RedisContentVersions, in memory and shared by the "instances". */
class FakeVersions implements ContentVersionStore {
  private epoch: string | null = null;
  private n = 0;
  private log: { n: number; id: string }[] = [];
  private epochs = 0;
  private replies: Promise<void> | null = null;
  private sendReplies: (() => void) | null = null;

  constructor(private readonly logLength = Infinity) {}

  /** Bumps still count at once (as Redis runs the script), but their replies wait for releaseBumps(). */
  holdBumps(): void {
    this.replies = new Promise((resolve) => (this.sendReplies = resolve));
  }

  releaseBumps(): void {
    this.sendReplies?.();
    this.replies = null;
  }

  read(): Promise<ContentVersion | null> {
    return Promise.resolve(this.epoch === null ? null : { epoch: this.epoch, n: this.n });
  }

  ensure(): Promise<ContentVersion | null> {
    if (this.epoch === null) this.start();
    return this.read();
  }

  async bump(id: string): Promise<ContentVersion | null> {
    if (this.epoch === null) this.start();
    this.log.push({ n: ++this.n, id });
    this.log = this.log.slice(-this.logLength);
    const version = await this.read();
    if (this.replies) await this.replies;
    return version;
  }

  changedBetween(from: number, to: number): Promise<string[] | null> {
    if (to <= from) return Promise.resolve([]);
    const entries = this.log.filter((e) => e.n > from && e.n <= to);
    return Promise.resolve(entries.length === to - from ? [...new Set(entries.map((e) => e.id))] : null);
  }

  /** Redis restarted without its data. */
  lose(): void {
    this.epoch = null;
    this.n = 0;
    this.log = [];
  }

  private start(): void {
    this.epoch = `epoch-${++this.epochs}`;
    this.n = 0;
    this.log = [];
  }
}

const doc = (id: string, name = id, updatedAt = '2025-01-01T00:00:00.000Z'): Doc => ({
  id,
  name,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt,
});
const ids = (docs: readonly Doc[]) => docs.map((d) => d.id).sort();
/** Lets every pending promise callback run, so a refresh that was started has made its S3 calls. */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const noRedis = {} as RedisService;
const reader = new StoredDocumentReader<Doc>('author', AuthorDto);

describe('ContentIndex', () => {
  let bucket: FakeBucket;
  let versions: FakeVersions;
  let one: ContentIndex<Doc>;
  let two: ContentIndex<Doc>;

  function instances(store: FakeVersions): void {
    versions = store;
    one = new ContentIndex<Doc>('author', bucket.storage(), noRedis, reader.read.bind(reader), versions);
    two = new ContentIndex<Doc>('author', bucket.storage(), noRedis, reader.read.bind(reader), versions);
  }

  /** A write as ContentRepository does it: S3 first, then the index of the instance that wrote. */
  async function write(through: ContentIndex<Doc>, value: Doc): Promise<void> {
    const etag = bucket.put(`authors/${value.id}.json`, JSON.stringify(value));
    await through.remember(value, etag);
  }

  async function remove(through: ContentIndex<Doc>, id: string): Promise<void> {
    bucket.objects.delete(`authors/${id}.json`);
    await through.forget(id);
  }

  const fakeClock = () => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const later = (ms: number) => jest.setSystemTime(Date.now() + ms);

  beforeEach(() => {
    bucket = new FakeBucket();
    instances(new FakeVersions());
  });

  afterEach(() => {
    bucket.release();
    jest.useRealTimers();
  });

  it('lists newest first', async () => {
    bucket.put('authors/a.json', JSON.stringify(doc('a', 'A', '2025-01-01T00:00:00.000Z')));
    bucket.put('authors/b.json', JSON.stringify(doc('b', 'B', '2025-02-01T00:00:00.000Z')));
    expect((await one.all()).map((d) => d.id)).toEqual(['b', 'a']);
    await write(two, doc('a', 'A2', '2025-03-01T00:00:00.000Z'));
    expect((await one.all()).map((d) => d.name)).toEqual(['A2', 'B']);
  });

  it('lists a write made through this instance without asking S3', async () => {
    await write(two, doc('a'));
    await one.all();
    const before = { gets: bucket.gets, listings: bucket.listings };
    await write(one, doc('b'));
    await remove(one, 'a');
    expect(ids(await one.all())).toEqual(['b']);
    expect({ gets: bucket.gets, listings: bucket.listings }).toEqual(before);
  });

  it('peeks at a document only when it holds that very object (same ETag, quoted or not), asking nothing', async () => {
    await write(one, doc('a', 'A'));
    const etag = bucket.objects.get('authors/a.json')!.etag;
    const before = { gets: bucket.gets, listings: bucket.listings };
    expect(one.peek('a', etag)?.name).toBe('A');
    expect(one.peek('a', etag.replace(/"/g, ''))?.name).toBe('A');
    await write(two, doc('a', 'A2'));
    expect(one.peek('a', bucket.objects.get('authors/a.json')!.etag)).toBeUndefined();
    expect(one.peek('b', etag)).toBeUndefined();
    expect({ gets: bucket.gets, listings: bucket.listings }).toEqual(before);
  });

  it('catches up with writes through another instance by fetching just the objects written', async () => {
    await write(two, doc('a'));
    await write(two, doc('b'));
    await one.all();
    const before = { gets: bucket.gets, listings: bucket.listings };
    await write(two, doc('a', 'A2'));
    await write(two, doc('c'));
    await remove(two, 'b');
    expect((await one.all()).map((d) => `${d.id}:${d.name}`).sort()).toEqual(['a:A2', 'c:c']);
    expect({ gets: bucket.gets - before.gets, listings: bucket.listings - before.listings }).toEqual({
      gets: 3,
      listings: 0,
    });
  });

  it('lists the folder (fetching only changed ETags) when the change log no longer reaches back', async () => {
    instances(new FakeVersions(2));
    for (const id of ['a', 'b', 'c']) await write(two, doc(id));
    await one.all();
    const before = { gets: bucket.gets, listings: bucket.listings };
    for (const id of ['d', 'e', 'f']) await write(two, doc(id));
    expect(ids(await one.all())).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect({ gets: bucket.gets - before.gets, listings: bucket.listings - before.listings }).toEqual({
      gets: 3,
      listings: 1,
    });
  });

  it('lists the folder again after Redis lost its data, whatever the new count says', async () => {
    await write(two, doc('a'));
    await one.all();
    versions.lose();
    bucket.put('authors/b.json', JSON.stringify(doc('b')));
    await write(two, doc('c')); // a new epoch with n = 1: a bare counter would look unchanged to `one`
    expect(ids(await one.all())).toEqual(['a', 'b', 'c']);
  });

  describe.each([
    ['catching up', false],
    ['listing the folder', true],
  ])('while an earlier refresh (%s) is still waiting for S3', (_, stale) => {
    /** Wrapped: an async function returning the bare promise would wait for it. */
    async function startEarlyRefresh(): Promise<{ early: Promise<readonly Doc[]> }> {
      await write(two, doc('a'));
      await write(two, doc('b'));
      await one.all();
      await write(two, doc('b', 'B2'));
      if (stale) later(INDEX_MAX_STALENESS_MS);
      bucket.hold();
      const early = one.all();
      await settle();
      return { early };
    }

    beforeEach(fakeClock);

    it('a read that starts after a write through another instance sees it', async () => {
      const { early } = await startEarlyRefresh();
      await write(two, doc('c'));
      const late = one.all();
      bucket.release();
      await early;
      expect(ids(await late)).toEqual(['a', 'b', 'c']);
    });

    it('a read that starts after a delete through another instance does not list it', async () => {
      const { early } = await startEarlyRefresh();
      await remove(two, 'a');
      const late = one.all();
      bucket.release();
      await early;
      expect(ids(await late)).toEqual(['b']);
    });

    it('a write through this instance is not lost to the earlier refresh', async () => {
      const { early } = await startEarlyRefresh();
      await write(one, doc('c'));
      await remove(one, 'a');
      const late = one.all();
      bucket.release();
      await early;
      expect(ids(await late)).toEqual(['b', 'c']);
      expect(ids(await one.all())).toEqual(['b', 'c']);
    });
  });

  it('does not take its copy as current when a refresh running during a write here dropped that write', async () => {
    fakeClock();
    await write(two, doc('a'));
    await one.all();
    later(INDEX_MAX_STALENESS_MS);
    bucket.hold();
    const early = one.all(); // lists the folder: the listing holds only `a`
    await settle();
    versions.holdBumps();
    const writing = write(one, doc('c')); // in the copy at once; its count comes back after the listing is applied
    bucket.release();
    await early;
    versions.releaseBumps();
    await writing;
    expect(ids(await one.all())).toEqual(['a', 'c']);
  });

  it('concurrent readers share one refresh', async () => {
    await write(two, doc('a'));
    const [first, second, third] = await Promise.all([one.all(), one.all(), one.all()]);
    expect(bucket.listings).toBe(1);
    expect([ids(first), ids(second), ids(third)]).toEqual([['a'], ['a'], ['a']]);
  });

  it('edits made directly in the bucket show up once the staleness bound has passed, and not before', async () => {
    fakeClock();
    await write(two, doc('a', 'A'));
    await one.all();

    bucket.put('authors/a.json', JSON.stringify(doc('a', 'A-edited')));
    bucket.put('authors/x.json', JSON.stringify(doc('x')));
    expect((await one.all()).map((d) => d.name)).toEqual(['A']);
    await write(two, doc('y')); // catching up with the service's writes does not list the folder
    expect((await one.all()).map((d) => d.name).sort()).toEqual(['A', 'y']);

    later(INDEX_MAX_STALENESS_MS);
    expect((await one.all()).map((d) => d.name).sort()).toEqual(['A-edited', 'x', 'y']);

    bucket.objects.delete('authors/x.json');
    later(INDEX_MAX_STALENESS_MS);
    expect(ids(await one.all())).toEqual(['a', 'y']);
  });

  it('answers at once from a copy older than the refresh-ahead age and lists the folder in the background', async () => {
    fakeClock();
    await write(two, doc('a'));
    await one.all();
    bucket.put('authors/b.json', JSON.stringify(doc('b')));

    later(INDEX_REFRESH_AHEAD_MS);
    bucket.hold();
    expect(ids(await one.all())).toEqual(['a']); // did not wait for the held listing
    bucket.release();
    await settle();
    expect(ids(await one.all())).toEqual(['a', 'b']);
  });

  it('past the staleness bound, answers from the copy while a listing is already running, and waits when none is', async () => {
    fakeClock();
    await write(two, doc('a'));
    await one.all();
    bucket.put('authors/b.json', JSON.stringify(doc('b')));

    later(INDEX_REFRESH_AHEAD_MS);
    bucket.hold();
    expect(ids(await one.all())).toEqual(['a']); // starts the background listing, which S3 holds
    later(INDEX_MAX_STALENESS_MS);
    expect(ids(await one.all())).toEqual(['a']); // a slow listing (a large bucket) does not make readers queue
    bucket.release();
    await settle();
    bucket.put('authors/c.json', JSON.stringify(doc('c')));
    later(INDEX_MAX_STALENESS_MS);
    expect(ids(await one.all())).toEqual(['a', 'b', 'c']); // no listing running: this read lists and waits
  });

  it('after a listing slower than the staleness bound (a large bucket), answers the next reads from the copy', async () => {
    fakeClock();
    await write(two, doc('a'));
    await one.all();
    later(INDEX_MAX_STALENESS_MS);
    bucket.hold();
    const slow = one.all(); // waits for the listing, which takes longer than the bound
    await settle();
    later(INDEX_MAX_STALENESS_MS + 1_000);
    bucket.release();
    await slow;
    bucket.hold();
    expect(ids(await one.all())).toEqual(['a']); // did not wait for yet another listing
    bucket.release();
  });

  it('skips objects that are not valid documents, fetches them again only when they change, and drops a document spoiled in place', async () => {
    fakeClock();
    await write(two, doc('a'));
    await write(two, doc('b'));
    bucket.put('authors/broken.json', '{ not json');
    bucket.put('authors/wrong-id.json', JSON.stringify(doc('other')));
    bucket.put('authors/no-name.json', JSON.stringify({ id: 'no-name', updatedAt: '2025-01-01T00:00:00.000Z' }));
    bucket.put('authors/readme.txt', 'not a document key');
    expect(ids(await one.all())).toEqual(['a', 'b']);

    const gets = bucket.gets;
    later(INDEX_MAX_STALENESS_MS);
    await one.all();
    expect(bucket.gets).toBe(gets);

    bucket.put('authors/b.json', '[]');
    bucket.put('authors/broken.json', JSON.stringify(doc('broken')));
    later(INDEX_MAX_STALENESS_MS);
    expect(ids(await one.all())).toEqual(['a', 'broken']);
  });
});
