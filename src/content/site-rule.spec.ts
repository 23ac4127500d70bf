import fc from 'fast-check';
import { affectsSite, isOnSite } from './site-rule';

const status = fc.constantFrom('draft', 'scheduled', 'published', undefined);
const post = fc.option(
  status.map((s) => ({ status: s })),
  { nil: null },
);

describe('site rule', () => {
  it('every existing author is on the site, a missing one is not', () => {
    expect(isOnSite('author', {})).toBe(true);
    expect(isOnSite('author', null)).toBe(false);
  });

  it('a post is on the site only while published', () => {
    expect(isOnSite('post', { status: 'published' })).toBe(true);
    expect(isOnSite('post', { status: 'draft' })).toBe(false);
    expect(isOnSite('post', { status: 'scheduled' })).toBe(false);
  });

  it('a post change deploys exactly when the post is published before or after it', () => {
    fc.assert(
      fc.property(post, post, (before, after) => {
        const published = before?.status === 'published' || after?.status === 'published';
        expect(affectsSite('post', before, after)).toBe(published);
      }),
    );
  });

  it('creating, editing or deleting a draft or scheduled post never deploys', () => {
    for (const hidden of [{ status: 'draft' }, { status: 'scheduled' }]) {
      expect(affectsSite('post', null, hidden)).toBe(false);
      expect(affectsSite('post', hidden, hidden)).toBe(false);
      expect(affectsSite('post', hidden, null)).toBe(false);
    }
  });

  it('any author change deploys', () => {
    expect(affectsSite('author', null, {})).toBe(true);
    expect(affectsSite('author', {}, null)).toBe(true);
  });
});
