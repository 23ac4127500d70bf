import { contentChange } from './content-change';

describe('contentChange', () => {
  it('a write: stamped with the time of the version it left, and that version’s bare ETag', () => {
    const written = { doc: { updatedAt: '2026-01-01T00:00:00.000Z' }, etag: '"abc"' };
    expect(contentChange('post', 'p', 'updated', written)).toEqual({
      kind: 'post',
      id: 'p',
      action: 'updated',
      at: '2026-01-01T00:00:00.000Z',
      etag: 'abc',
    });
  });

  it('a delete: stamped now, without an ETag', () => {
    const before = Date.now();
    const change = contentChange('author', 'a', 'deleted');
    expect(change).toEqual({ kind: 'author', id: 'a', action: 'deleted', at: expect.any(String) });
    expect(Date.parse(change.at)).toBeGreaterThanOrEqual(before - 1);
  });
});
