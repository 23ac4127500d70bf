import { bareEtag, ifMatchPasses, ifNoneMatchHits, quoteEtag } from './etag';

const current = '"abc123"';

describe('ifMatchPasses (strong comparison)', () => {
  it.each([
    ['"abc123"', true],
    ['abc123', true],
    ['"zzz", "abc123"', true],
    ['*', true],
    ['W/"abc123"', false],
    ['W/"zzz", W/"abc123"', false],
    ['"zzz"', false],
    ['', false],
    ['"abc1234"', false],
  ])('%s -> %s', (header, expected) => {
    expect(ifMatchPasses(header, current)).toBe(expected);
  });

  it('never passes for a missing entity, not even with *', () => {
    expect(ifMatchPasses('*', null)).toBe(false);
    expect(ifMatchPasses('"abc123"', null)).toBe(false);
  });

  it('accepts an unquoted current ETag from S3-compatible servers', () => {
    expect(ifMatchPasses('"abc"', 'abc')).toBe(true);
  });
});

describe('ifNoneMatchHits (weak comparison)', () => {
  it.each([
    ['"abc123"', true],
    ['W/"abc123"', true],
    ['*', true],
    ['"zzz"', false],
  ])('%s -> %s', (header, expected) => {
    expect(ifNoneMatchHits(header, current)).toBe(expected);
  });
});

describe('quoteEtag', () => {
  it('quotes bare tags and keeps quoted ones', () => {
    expect(quoteEtag('abc')).toBe('"abc"');
    expect(quoteEtag('"abc"')).toBe('"abc"');
    expect(quoteEtag('W/"abc"')).toBe('"abc"');
  });
});

describe('bareEtag', () => {
  it('drops the quotes some S3 servers send, so records compare alike', () => {
    expect(bareEtag('"abc"')).toBe('abc');
    expect(bareEtag('abc')).toBe('abc');
  });
});
