import fc from 'fast-check';
import { InvalidInputError } from '../common/domain-errors';
import { Listable, decodeCursor, newestFirst, paginate } from './paging';

const item = fc.record({
  id: fc.stringMatching(/^[a-z0-9]{1,6}$/),
  updatedAt: fc
    .date({ min: new Date(2020, 0, 1), max: new Date(2030, 0, 1), noInvalidDate: true })
    .map((d) => d.toISOString()),
});

/** Every page from the first on, as ids. */
function walk<T extends Listable>(sorted: T[], limit: number, matches?: (item: T) => boolean): string[] {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 200; guard++) {
    const page = paginate(sorted, limit, cursor, matches);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.nextCursor !== null) expect(page.items).toHaveLength(limit);
    seen.push(...page.items.map((i) => i.id));
    if (page.nextCursor === null) return seen;
    cursor = page.nextCursor;
  }
  throw new Error('the pages never ended');
}

const items = fc.uniqueArray(item, { selector: (i) => i.id, maxLength: 60 }).map((all) => all.sort(newestFirst));

describe('paginate', () => {
  it('walks every item exactly once, newest first, whatever the page size', () => {
    fc.assert(
      fc.property(items, fc.integer({ min: 1, max: 25 }), (sorted, limit) => {
        expect(walk(sorted, limit)).toEqual(sorted.map((i) => i.id));
      }),
    );
  });

  it('with a filter, the pages hold exactly the matching items, in order', () => {
    fc.assert(
      fc.property(items, fc.integer({ min: 1, max: 25 }), fc.constantFrom('0', '1', 'a', 'z'), (sorted, limit, c) => {
        const matches = (i: Listable): boolean => i.id.includes(c);
        expect(walk(sorted, limit, matches)).toEqual(sorted.filter(matches).map((i) => i.id));
      }),
    );
  });

  it('a cursor still places the next page after its item has gone (deleted, or edited to the top)', () => {
    fc.assert(
      fc.property(items, fc.integer({ min: 1, max: 10 }), (sorted, limit) => {
        const first = paginate(sorted, limit);
        fc.pre(first.nextCursor !== null);
        const last = first.items[first.items.length - 1];
        const without = sorted.filter((i) => i.id !== last.id);
        const next = paginate(without, limit, first.nextCursor);
        const expected = sorted.slice(sorted.indexOf(last) + 1, sorted.indexOf(last) + 1 + limit);
        expect(next.items.map((i) => i.id)).toEqual(expected.map((i) => i.id));
      }),
    );
  });

  it('rejects a cursor it did not make', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrow(InvalidInputError);
  });
});
