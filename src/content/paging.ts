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

/** One page of `items` (any order) after `cursor`, newest first. */
export function paginate<T extends Listable>(items: T[], limit: number, cursor?: string): Page<T> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const sorted = [...items].sort(newestFirst);
  const start = after === undefined ? 0 : sorted.findIndex((item) => newestFirst(item, after) > 0);
  const rest = start < 0 ? [] : sorted.slice(start);
  const page = rest.slice(0, limit);
  return { items: page, nextCursor: rest.length > limit ? encodeCursor(page[page.length - 1]) : null };
}
