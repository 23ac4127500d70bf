import request from 'supertest';
import type { Post } from '../../src/posts/post';
import { waitFor } from './wait-for';

/** An instant `ms` from now, written with a +09:00 offset (the service must store it in UTC). */
export function inMsWithOffset(ms: number): string {
  const at = new Date(Date.now() + ms + 9 * 3_600_000).toISOString().slice(0, -1);
  return `${at}+09:00`;
}

/** How long after its publishAt a post was published (its updatedAt, the time of the rewrite). */
export function latenessMs(post: Post, publishAt: string): number {
  return Date.parse(post.updatedAt) - Date.parse(publishAt);
}

/** Lateness samples of one test file, printed once at its end. */
export class LatenessLog {
  private readonly samples = new Map<string, number[]>();

  add(label: string, ms: number): void {
    this.samples.set(label, [...(this.samples.get(label) ?? []), ms]);
  }

  print(file: string): void {
    for (const [label, values] of this.samples) {
      const sorted = [...values].sort((a, b) => a - b);
      process.stdout.write(`[${file}] publication lateness ${label}: median ${sorted[Math.floor(sorted.length / 2)]} ms, worst ${sorted[sorted.length - 1]} ms over ${sorted.length}\n`);
    }
  }
}

type Headers = Record<string, string>;

/** GET /posts/:id (null on 404). */
export async function readPost(url: string, id: string, headers: Headers = {}): Promise<Post | null> {
  const res = await request(url).get(`/posts/${id}`).set(headers);
  if (res.status === 404) return null;
  if (res.status !== 200) throw new Error(`GET /posts/${id} answered ${res.status}: ${res.text}`);
  return res.body as Post;
}

/** Waits until the post reads as published and returns it. */
export function publishedPost(url: string, id: string, timeoutMs = 15_000, headers: Headers = {}): Promise<Post> {
  return waitFor(`post ${id} to be published`, async () => {
    const post = await readPost(url, id, headers);
    return post?.status === 'published' ? post : undefined;
  }, timeoutMs);
}

export interface BoardJob {
  id: string;
  name: string;
  delay: number;
  timestamp: number;
  data: { postId: string; version: string; publishAt: string; title: string };
}

/** The publication jobs the dashboard (Bull Board's API) lists in `status`. */
export async function boardJobs(url: string, status: 'delayed' | 'completed' | 'failed', auth?: [string, string]): Promise<BoardJob[]> {
  const req = request(url).get('/admin/queues/api/queues').query({ activeQueue: 'publish', status, page: 1, jobsPerPage: 100 });
  const res = await (auth ? req.auth(...auth) : req).expect(200);
  const queue = (res.body.queues as { name: string; jobs: BoardJob[] }[]).find((q) => q.name === 'publish');
  if (!queue) throw new Error(`the dashboard does not list the publish queue: ${res.text.slice(0, 500)}`);
  return queue.jobs;
}
