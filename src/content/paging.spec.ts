import fc from 'fast-check';
import { InvalidInputError } from '../common/domain-errors';
import { decodeCursor, paginate } from './paging';

const item = fc.record({
  id: fc.stringMatching(/^[a-z0-9]{1,6}$/),
  updatedAt: fc
    .date({ min: new Date(2020, 0, 1), max: new Date(2030, 0, 1), noInvalidDate: true })
    .map((d) => d.toISOString()),
});

describe('paginate', () => {
  it('walks every item exactly once, newest first, whatever the page size', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(item, { selector: (i) => i.id, maxLength: 60 }),
        fc.integer({ min: 1, max: 25 }),
        (items, limit) => {
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let guard = 0; guard < 100; guard++) {
            const page = paginate(items, limit, cursor);
            expect(page.items.length).toBeLessThanOrEqual(limit);
            seen.push(...page.items.map((i) => i.id));
            if (page.nextCursor === null) break;
            cursor = page.nextCursor;
          }
          expect(seen.sort()).toEqual(items.map((i) => i.id).sort());
        },
      ),
    );
  });

  it('orders by updatedAt descending', () => {
    const page = paginate(
      [
        { id: 'a', updatedAt: '2024-01-01T00:00:00.000Z' },
        { id: 'b', updatedAt: '2025-01-01T00:00:00.000Z' },
      ],
      10,
    );
    expect(page.items.map((i) => i.id)).toEqual(['b', 'a']);
    expect(page.nextCursor).toBeNull();
  });

  it('rejects a cursor it did not make', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrow(InvalidInputError);
  });
});
