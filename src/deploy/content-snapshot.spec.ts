import { ContentSnapshot } from './content-snapshot';

const snap = (entries: Record<string, string>) => ContentSnapshot.fromJson(entries);

describe('ContentSnapshot', () => {
  it('has a fingerprint that ignores listing order and changes with any key or ETag', () => {
    const a = snap({ 'authors/a.json': '1', 'posts/p.json': '2' });
    const b = new ContentSnapshot(
      new Map([
        ['posts/p.json', '2'],
        ['authors/a.json', '1'],
      ]),
    );
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(snap({ 'authors/a.json': '1', 'posts/p.json': '3' }).fingerprint).not.toBe(a.fingerprint);
    expect(snap({ 'authors/a.json': '1' }).fingerprint).not.toBe(a.fingerprint);
  });

  it('strips quotes from listed ETags so S3 servers that quote and those that do not agree', () => {
    const listed = ContentSnapshot.fromListing([{ key: 'posts/p.json', etag: '"abc"' }]);
    expect(listed.fingerprint).toBe(snap({ 'posts/p.json': 'abc' }).fingerprint);
  });

  it('names what changed since a previous snapshot, per entity', () => {
    const before = snap({ 'authors/a.json': '1', 'posts/p.json': '2', 'posts/gone.json': '3' });
    const after = snap({ 'authors/a.json': '1', 'posts/p.json': '9', 'authors/new.json': '4', 'posts/notes.txt': '5' });
    const at = '2026-01-01T00:00:00.000Z';
    expect(after.changesSince(before, at)).toEqual([
      { kind: 'post', id: 'p', action: 'updated', at },
      { kind: 'author', id: 'new', action: 'created', at },
      { kind: 'post', id: 'gone', action: 'deleted', at },
    ]);
    expect(before.changesSince(before, at)).toEqual([]);
  });
});

describe('ContentSnapshot and the site rule', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const of = (objects: Record<string, string>, offSite: string[] = []) => ContentSnapshot.fromJson(objects, offSite);

  it('names no change for a draft created, edited or deleted', () => {
    const none = of({});
    const draft = of({ 'posts/d.json': '1' }, ['posts/d.json']);
    const edited = of({ 'posts/d.json': '2' }, ['posts/d.json']);
    expect(draft.changesSince(none, at)).toEqual([]);
    expect(edited.changesSince(draft, at)).toEqual([]);
    expect(none.changesSince(edited, at)).toEqual([]);
  });

  it('names a post published or unpublished, and the deletion of a published one', () => {
    const draft = of({ 'posts/p.json': '1' }, ['posts/p.json']);
    const published = of({ 'posts/p.json': '2' });
    expect(published.changesSince(draft, at)).toEqual([{ kind: 'post', id: 'p', action: 'updated', at }]);
    expect(draft.changesSince(published, at)).toEqual([{ kind: 'post', id: 'p', action: 'updated', at }]);
    expect(of({}).changesSince(published, at)).toEqual([{ kind: 'post', id: 'p', action: 'deleted', at }]);
  });

  it('round-trips through JSON, and a record without offSite counts every post as on the site', () => {
    const snapshot = of({ 'posts/d.json': '1', 'posts/p.json': '2' }, ['posts/d.json']);
    const { objects, offSite } = snapshot.toJson();
    expect(ContentSnapshot.fromJson(objects, offSite).isOnSite('posts/d.json')).toBe(false);
    expect(ContentSnapshot.fromJson(objects).isOnSite('posts/d.json')).toBe(true);
    expect(snapshot.changedKeys(of({ 'posts/d.json': '1' }))).toEqual(['posts/p.json']);
  });
});
