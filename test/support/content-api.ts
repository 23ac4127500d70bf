import request, { Response } from 'supertest';

/** The shape of every error answer. */
export const ERROR_SHAPE = { statusCode: expect.any(Number), error: expect.any(String), message: expect.anything() };

/** All of an error's messages as one string, to check which fields it names. */
export function messageOf(res: Response): string {
  const message = (res.body as { message?: unknown }).message;
  return Array.isArray(message) ? message.join(' | ') : String(message);
}

/** An author or post as the API returns it: the fields every test reads, and the rest. */
export interface Entity {
  id: string;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

/** Creates an entity through the API and returns its body and ETag; fails the test on anything but 201. */
export async function create<T = Entity>(
  url: string,
  collection: 'authors' | 'posts',
  body: object,
): Promise<{ doc: T; etag: string }> {
  const res = await request(url).post(`/${collection}`).send(body);
  if (res.status !== 201) throw new Error(`POST /${collection} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { doc: res.body as T, etag: res.headers.etag };
}

/** Every item of a listing, following nextCursor page by page. */
export async function listAll<T = Record<string, unknown>>(
  url: string,
  path: string,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: Record<string, string | number> = { limit };
    if (cursor !== null) query.cursor = cursor;
    const res = await request(url).get(path).query(query).expect(200);
    items.push(...(res.body.items as T[]));
    cursor = res.body.nextCursor as string | null;
    pages++;
  } while (cursor !== null && pages < 1000);
  return { items, pages };
}
