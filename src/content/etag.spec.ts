import { etagMatches, quoteEtag } from './etag';

describe('etagMatches', () => {
  const current = '"abc123"';

  it.each([
    ['"abc123"', true],
    ['abc123', true],
    ['W/"abc123"', true],
    ['"zzz", "abc123"', true],
    ['*', true],
    ['"zzz"', false],
    ['', false],
    ['"abc1234"', false],
  ])('%s -> %s', (header, expected) => {
    expect(etagMatches(header, current)).toBe(expected);
  });

  it('accepts an unquoted current ETag from S3-compatible servers', () => {
    expect(etagMatches('"abc"', 'abc')).toBe(true);
  });
});

describe('quoteEtag', () => {
  it('quotes bare tags and keeps quoted ones', () => {
    expect(quoteEtag('abc')).toBe('"abc"');
    expect(quoteEtag('"abc"')).toBe('"abc"');
    expect(quoteEtag('W/"abc"')).toBe('"abc"');
  });
});
