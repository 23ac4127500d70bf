import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Post } from '../../src/posts/post';
import { FakeGithub } from './fake-github';
import { killAllServices, ServiceProcess } from './processes';
import { DirectS3 } from './direct-s3';
import { API_TOKEN, productionEnv } from './resilience';
import { TestStack } from './stack';
import { waitFor } from './wait-for';

/** An instant `ms` from now, written with a +09:00 offset (the service must store it in UTC). */
export function inMsWithOffset(ms: number): string {
  const at = new Date(Date.now() + ms + 9 * 3_600_000).toISOString().slice(0, -1);
  return `${at}+09:00`;
}

/**
 * The action a publication's dispatch names: `updated`, or `created` when the record of the last dispatch never saw
 * the scheduled post (no reconcile pass ran between its creation and its publication): either way, new on the site.
 */
export const FIRST_ON_SITE = expect.stringMatching(/^(created|updated)$/) as unknown;

/** How long after its publishAt a post was published (its updatedAt, the time of the rewrite). */
export function latenessMs(post: Post, publishAt: string): number {
  return Date.parse(post.updatedAt) - Date.parse(publishAt);
}

/** Delay samples (publication lateness by default) of one test file, printed once at its end. */
export class LatenessLog {
  private readonly samples = new Map<string, number[]>();

  constructor(private readonly what = 'publication lateness') {}

  add(label: string, ms: number): void {
    this.samples.set(label, [...(this.samples.get(label) ?? []), ms]);
  }

  print(file: string): void {
    for (const [label, values] of this.samples) {
      const sorted = [...values].sort((a, b) => a - b);
      process.stdout.write(
        `[${file}] ${this.what} ${label}: median ${sorted[Math.floor(sorted.length / 2)]} ms, worst ${sorted[sorted.length - 1]} ms over ${sorted.length}\n`,
      );
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
  return waitFor(
    `post ${id} to be published`,
    async () => {
      const post = await readPost(url, id, headers);
      return post?.status === 'published' ? post : undefined;
    },
    timeoutMs,
  );
}

/** The line the publisher logs for each rewrite (on time or late); its first group is the post id. */
const PUBLISHED_LINE = /^post (\S+) published (late|at its publishAt)/;

/** How many times `id` was published, by the log lines of `services` (dead ones included). */
export function publicationsOf(services: readonly ServiceProcess[], id: string): number {
  return services.flatMap((s) => s.messages()).filter((msg) => PUBLISHED_LINE.exec(msg)?.[1] === id).length;
}

/** A request to a spawned (production) instance with the test token; the post in the answer, if any. */
export async function sendAuthorized(
  url: string,
  method: string,
  path: string,
  body?: object,
): Promise<{ status: number; post?: Post }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    post: res.status === 200 || res.status === 201 ? (JSON.parse(text) as Post) : undefined,
  };
}

/** The backends of a multi-process test: Redis, the S3-protocol server with one shared bucket, the fake GitHub. */
export interface SharedBackends {
  stack: TestStack;
  github: FakeGithub;
  s3: DirectS3;
  /** Production environment of an instance on them (API_TOKEN, the fake GitHub, short timings). */
  env: Record<string, string | undefined>;
}

/**
 * The S3 server is moto: it enforces If-Match like AWS, so the conditional publication write is checked by S3
 * itself and not only by the service's lock (and it is a light process next to many service instances).
 */
export async function startSharedBackends(
  name: string,
  overrides: Record<string, string | undefined> = {},
): Promise<SharedBackends> {
  const [stack, github] = await Promise.all([TestStack.start({ s3: 'moto' }), FakeGithub.start()]);
  const bucket = `${name}-${randomUUID().slice(0, 8)}`;
  const s3 = new DirectS3(stack.s3, bucket);
  await s3.createBucket();
  return { stack, github, s3, env: productionEnv(stack, github, { S3_BUCKET: bucket, ...overrides }) };
}

export async function stopSharedBackends(backends: Partial<SharedBackends>): Promise<void> {
  await killAllServices();
  backends.s3?.close();
  await backends.github?.close();
  await backends.stack?.stop();
}
