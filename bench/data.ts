/** Deterministic benchmark content: the same documents on every run, so runs compare. */

export interface BenchAuthor {
  id: string;
  name: string;
  bio: string;
}

export interface BenchPost {
  id: string;
  title: string;
  summary: string;
  body: string;
  authorIds: string[];
  tags: string[];
  status: 'published';
}

const WORDS =
  'static site deploy bucket object markdown editor coalesce queue worker redis latency index listing author post tag draft publish review cache header render build pipeline workflow dispatch'.split(
    ' ',
  );
export const TAGS = Array.from({ length: 40 }, (_, i) => `tag-${i}`);

/** A small linear congruential generator: reproducible, and fast enough to build megabytes of text. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function words(next: () => number, count: number): string {
  return Array.from({ length: count }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
}

/** Markdown of about `bytes` bytes: a heading, paragraphs and a list, like a short blog post. */
function markdown(next: () => number, title: string, bytes: number): string {
  const parts = [`# ${title}`];
  let size = parts[0].length;
  while (size < bytes) {
    const part = next() < 0.2 ? `- ${words(next, 6)}\n- ${words(next, 5)}\n- ${words(next, 7)}` : `${words(next, 40)}.`;
    parts.push(part);
    size += part.length + 2;
  }
  return parts.join('\n\n');
}

export function makeAuthors(count: number): BenchAuthor[] {
  const next = random(7);
  return Array.from({ length: count }, (_, i) => ({ id: `author-${i}`, name: `Author ${i}`, bio: words(next, 30) }));
}

/** `count` published posts numbered from `first`, each by one or two of `authorIds`, with 1 to 3 tags. */
export function makePosts(first: number, count: number, authorIds: readonly string[], bodyBytes: number): BenchPost[] {
  const next = random(first + 1);
  return Array.from({ length: count }, (_, k) => {
    const n = first + k;
    const title = `Post ${n}: ${words(next, 5)}`;
    const authors = new Set([authorIds[n % authorIds.length], authorIds[Math.floor(next() * authorIds.length)]]);
    const tags = new Set(
      Array.from({ length: 1 + Math.floor(next() * 3) }, () => TAGS[Math.floor(next() * TAGS.length)]),
    );
    return {
      id: `post-${n}`,
      title,
      summary: words(next, 20),
      body: markdown(next, title, bodyBytes),
      authorIds: [...authors],
      tags: [...tags],
      status: 'published',
    };
  });
}

/** The object the service stores for `post` (the entity JSON exactly as the API returns it), for raw PutObject. */
export function storedPost(post: BenchPost, now: string): string {
  const { id, ...fields } = post;
  return JSON.stringify({ id, ...fields, publishedAt: now, createdAt: now, updatedAt: now });
}
