import fc from 'fast-check';
import { ID_MAX_LENGTH, ID_PATTERN, idCandidates, isValidId, slugify } from './ids';

describe('slugify', () => {
  it.each([
    ['Jane Doe', 'jane-doe'],
    ['  Hello,   World!  ', 'hello-world'],
    ['Crème brûlée à la façon de Zoë', 'creme-brulee-a-la-facon-de-zoe'],
    ['Ångström Ünïcödé', 'angstrom-unicode'],
    ['ﬁle ① Ｆｕｌｌｗｉｄｔｈ', 'file-1-fullwidth'],
    ['안녕하세요', ''],
    ['🚀🎉', ''],
    ['Launch 🚀 day', 'launch-day'],
    ['한국어 Korean 제목', 'korean'],
    ['---', ''],
    ['a--b__c..d', 'a-b-c-d'],
    ['../../etc/passwd', 'etc-passwd'],
    ['UPPER case', 'upper-case'],
  ])('%j -> %j', (text, slug) => {
    expect(slugify(text)).toBe(slug);
  });

  it('truncates to 64 characters without leaving a trailing hyphen', () => {
    const long = 'word '.repeat(40);
    const slug = slugify(long);
    expect(slug.length).toBeLessThanOrEqual(ID_MAX_LENGTH);
    expect(slug).toMatch(ID_PATTERN);
    expect(slug.endsWith('-')).toBe(false);
    expect(slugify('x'.repeat(200))).toBe('x'.repeat(64));
    // 63 letters then a separator: the cut lands on the hyphen, which is trimmed.
    expect(slugify(`${'a'.repeat(63)} bcd`)).toBe('a'.repeat(63));
  });

  it('gives either an empty string or a valid id, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), (text) => {
        const slug = slugify(text);
        expect(slug === '' || ID_PATTERN.test(slug)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('idCandidates', () => {
  it('starts with the slug, then the slug with random suffixes', () => {
    const [first, ...rest] = idCandidates('author', 'Jane Doe');
    expect(first).toBe('jane-doe');
    expect(rest).toHaveLength(5);
    for (const candidate of rest) expect(candidate).toMatch(/^jane-doe-[a-z0-9]{8}$/);
    expect(new Set(rest).size).toBe(rest.length);
  });

  it('generates {kind}-{random} ids for a Hangul-only or emoji-only title', () => {
    for (const title of ['안녕하세요', '🚀', '']) {
      const candidates = idCandidates('post', title);
      expect(candidates).toHaveLength(5);
      for (const candidate of candidates) expect(candidate).toMatch(/^post-[a-z0-9]{8}$/);
    }
  });

  it('keeps suffixed candidates within 64 characters for a long title', () => {
    const candidates = idCandidates('post', 'a'.repeat(100));
    expect(candidates[0]).toBe('a'.repeat(64));
    for (const candidate of candidates) {
      expect(candidate.length).toBeLessThanOrEqual(ID_MAX_LENGTH);
      expect(candidate).toMatch(ID_PATTERN);
    }
  });

  it('gives only valid ids, for any string input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'grapheme', maxLength: 100 }),
          fc.string({ unit: 'binary', maxLength: 100 }),
        ),
        (text) => {
          const candidates = idCandidates('post', text, 3);
          expect(candidates.length).toBeGreaterThanOrEqual(3);
          for (const candidate of candidates) expect(candidate).toMatch(ID_PATTERN);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('ID_PATTERN / isValidId', () => {
  it.each(['a', '0', 'jane-doe', 'a-b-c', 'a--b', '2026-launch', 'x'.repeat(64), `a${'-'.repeat(62)}b`])(
    'accepts %j',
    (id) => {
      expect(isValidId(id)).toBe(true);
    },
  );

  it.each([
    '',
    '..',
    '.',
    'a/b',
    'a%2Fb',
    'a.json',
    'Jane',
    'ABC',
    '안녕',
    'caf\u00e9',
    'x'.repeat(65),
    '-a',
    'a-',
    '-',
    'a b',
    'a_b',
    'a\nb',
    'abc\n',
    '🚀',
  ])('rejects %j', (id) => {
    expect(isValidId(id)).toBe(false);
  });

  it('rejects what is not a string', () => {
    for (const value of [undefined, null, 1, ['a'], { id: 'a' }]) expect(isValidId(value)).toBe(false);
  });
});
