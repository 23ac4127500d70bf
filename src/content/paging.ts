import { InvalidInputError } from '../common/domain-errors';

export interface Listable {
  id: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Newest `updatedAt` first; ties broken by id so the order (and so every cursor) is total. */
export function newestFirst(a: Listable, b: Listable): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The cursor names the last item of a page, so pages stay stable while items are added or removed. */
export function encodeCursor(item: Listable): string {
  return Buffer.from(JSON.stringify([item.updatedAt, item.id]), 'utf-8').toString('base64url');
}

export function decodeCursor(cursor: string): Listable {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf-8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return { updatedAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the 400 below
  }
  throw new InvalidInputError(['cursor is not valid: pass the nextCursor of a previous page']);
}

/** The index of the first item of `sorted` (newest first) that comes after `after`: a binary search. */
function firstAfter<T extends Listable>(sorted: readonly T[], after: Listable): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (newestFirst(sorted[middle], after) > 0) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * One page of the items that `matches`, after `cursor`. `sorted` must already be newest first (the listing
 * copy keeps it so): the page is found by a binary search and a walk of just as many items as it needs, so a
 * page of an unfiltered listing costs the same over 20,000 posts as over 20, and nothing is copied or sorted.
 */
export function paginate<T extends Listable>(
  sorted: readonly T[],
  limit: number,
  cursor?: string,
  matches: (item: T) => boolean = () => true,
): Page<T> {
  const start = cursor === undefined ? 0 : firstAfter(sorted, decodeCursor(cursor));
  const items: T[] = [];
  for (let i = start; i < sorted.length; i++) {
    if (!matches(sorted[i])) continue;
    if (items.length === limit) return { items, nextCursor: encodeCursor(items[limit - 1]) };
    items.push(sorted[i]);
  }
  return { items, nextCursor: null };
}
