import fc from 'fast-check';
import { ID_PATTERN } from '../common/ids';
import { ENTITY_KINDS } from '../content/content-change';
import {
  DEPLOY_MARKER_KEY,
  contentFolder,
  contentKey,
  parseContentKey,
  probeKey,
  withPrefix,
  withoutPrefix,
} from './s3-layout';

const validId = fc.stringMatching(ID_PATTERN);
const kind = fc.constantFrom(...ENTITY_KINDS);

describe('S3 layout', () => {
  it('puts authors and posts at {folder}{id}.json', () => {
    expect(contentKey('author', 'ada')).toBe('authors/ada.json');
    expect(contentKey('post', 'hello-world')).toBe('posts/hello-world.json');
    expect(contentFolder('post')).toBe('posts/');
  });

  it('parses back every key it builds', () => {
    fc.assert(
      fc.property(kind, validId, (k, id) => expect(parseContentKey(contentKey(k, id))).toEqual({ kind: k, id })),
    );
  });

  it('never builds a key from an invalid id (no path can escape its folder)', () => {
    for (const id of ['', '..', 'a/b', '../authors/x', 'A', 'x.json', 'a-', '-a', 'x'.repeat(65)]) {
      expect(() => contentKey('post', id)).toThrow('not a valid post id');
    }
  });

  it('parses nothing that no API path could address', () => {
    for (const key of [
      'posts/a.txt',
      'posts/A.json',
      'posts/sub/a.json',
      'drafts/a.json',
      'posts/.json',
      'posts/a.json.bak',
      'authors',
      DEPLOY_MARKER_KEY,
    ]) {
      expect(parseContentKey(key)).toBeNull();
    }
  });

  it("keeps the service's own objects outside the content folders", () => {
    const own = [DEPLOY_MARKER_KEY, probeKey('conditional-writes')];
    for (const key of own) for (const k of ENTITY_KINDS) expect(key.startsWith(contentFolder(k))).toBe(false);
    expect(probeKey('x')).not.toBe(probeKey('x'));
    expect(() => probeKey('../x')).toThrow();
  });

  it('adds and strips S3_PREFIX symmetrically', () => {
    fc.assert(
      fc.property(fc.constantFrom('', 'blog/', 'site/content/'), kind, validId, (prefix, k, id) => {
        const key = contentKey(k, id);
        expect(withoutPrefix(prefix, withPrefix(prefix, key))).toBe(key);
      }),
    );
    expect(withoutPrefix('blog/', 'other/posts/a.json')).toBeNull();
  });
});
