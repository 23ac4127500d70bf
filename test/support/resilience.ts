import { Redis } from 'ioredis';
import { FakeGithub, RecordedRequest } from './fake-github';
import { TestStack } from './stack';

/** The bearer token the spawned (production-mode) services accept. */
export const API_TOKEN = 'resilience-test-token';
const AUTH = { authorization: `Bearer ${API_TOKEN}` };

/**
 * Environment of a production instance on `stack`, dispatching to `github`. Timings are short so a test
 * sees debounce, retries and reconcile within seconds. Instances given the same S3_BUCKET share content.
 */
export function productionEnv(
  stack: TestStack,
  github: FakeGithub,
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    ...stack.env(),
    NODE_ENV: 'production',
    API_TOKENS: API_TOKEN,
    GITHUB_TOKEN: 'ghp_resilienceTestToken000000000000000000',
    GITHUB_REPOSITORY: 'acme/blog',
    GITHUB_API_URL: github.url,
    LOG_LEVEL: 'info',
    DEPLOY_DEBOUNCE_MS: '250',
    DEPLOY_MAX_WAIT_MS: '3000',
    DEPLOY_BACKOFF_MS: '100',
    DEPLOY_RECONCILE_MS: '1000',
    ...overrides,
  };
}

/** Every key in the Redis at `url` (SCAN, not KEYS, though a test Redis is small). */
export async function redisKeys(url: string): Promise<string[]> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys.sort();
  } finally {
    client.disconnect();
  }
}

/** One edit the API acknowledged (or refused), as the client saw it. */
export interface Edit {
  kind: 'author';
  id: string;
  action: 'created' | 'updated' | 'deleted';
  status: number;
  sentAt: number;
  ackAt: number;
  /**
   * The entity's `updatedAt` after the edit (its time of the S3 write, set by the server), or for a
   * delete the time the request was sent: a dispatch that lists this entity with a change at least
   * this new was claimed after this edit was recorded, so it carries it.
   */
  since: number;
}

/** Edits authors through any instance and keeps what each answered. */
export class Editor {
  readonly edits: Edit[] = [];

  constructor(private readonly token = API_TOKEN) {}

  /** PUT-like upsert: creates the author, or patches it when it exists. Network errors count as 0 (not acknowledged). */
  async save(url: string, id: string, bio: string): Promise<Edit> {
    let edit = await this.send(url, 'PATCH', `/authors/${id}`, { bio }, id, 'updated');
    if (edit.status === 404) {
      this.edits.pop();
      edit = await this.send(url, 'POST', '/authors', { id, name: id, bio }, id, 'created');
    }
    if (edit.status === 409) {
      // Another client created it between our 404 and our POST: patch the one that exists now.
      this.edits.pop();
      edit = await this.send(url, 'PATCH', `/authors/${id}`, { bio }, id, 'updated');
    }
    return edit;
  }

  remove(url: string, id: string): Promise<Edit> {
    return this.send(url, 'DELETE', `/authors/${id}`, undefined, id, 'deleted');
  }

  acknowledged(): Edit[] {
    return this.edits.filter((e) => e.status >= 200 && e.status < 300);
  }

  private async send(
    url: string,
    method: string,
    path: string,
    body: object | undefined,
    id: string,
    action: Edit['action'],
  ): Promise<Edit> {
    const sentAt = Date.now();
    let status: number;
    let since = sentAt;
    try {
      const headers = {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      };
      const res = await fetch(`${url}${path}`, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(15_000),
      });
      status = res.status;
      const text = await res.text();
      if (status < 300 && text) since = Date.parse((JSON.parse(text) as { updatedAt: string }).updatedAt);
    } catch {
      status = 0; // no answer: not acknowledged
    }
    const edit: Edit = { kind: 'author', id, action, status, sentAt, ackAt: Date.now(), since };
    this.edits.push(edit);
    return edit;
  }
}

/** GET with the test token; the parsed JSON body. */
export async function getJson<T>(url: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, { headers: AUTH });
  return { status: res.status, body: (await res.json()) as T };
}

export interface DispatchPayload {
  deployId: string;
  reason: 'changes' | 'manual' | 'reconcile';
  changeCount: number;
  editCount: number;
  changes: { kind: string; id: string; action: string; at: string }[];
  truncated: boolean;
}

export function payloadOf(request: RecordedRequest): DispatchPayload {
  return (request.body as { client_payload: DispatchPayload }).client_payload;
}

/** Dispatches GitHub accepted (answered 2xx). A request whose client went away is not one. */
export function accepted(github: FakeGithub): RecordedRequest[] {
  return github.dispatches().filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300);
}

/**
 * The accepted dispatch that carries `edit`: it lists the entity with a change at least as new as the edit,
 * and it started after that change was written (no change is lost).
 */
export function carrierOf(edit: Edit, dispatches: RecordedRequest[]): RecordedRequest | undefined {
  return dispatches.find((d) => {
    const payload = payloadOf(d);
    const entry = payload.changes.find((c) => c.kind === edit.kind && c.id === edit.id);
    return entry !== undefined && Date.parse(entry.at) >= edit.since && d.startedAt >= Date.parse(entry.at);
  });
}

/** Acknowledged edits no accepted dispatch carries: must be empty. */
export function uncarried(edits: Edit[], github: FakeGithub): Edit[] {
  const dispatches = accepted(github);
  for (const d of dispatches)
    if (payloadOf(d).truncated)
      throw new Error('a payload was truncated: use fewer entities so every change is listed');
  return edits.filter((e) => e.status >= 200 && e.status < 300 && carrierOf(e, dispatches) === undefined);
}

/**
 * Dispatches of a deploy id GitHub may already have acted on (at-least-once: allowed, counted). A request
 * whose sender died before the answer (held, then the worker was killed) counts: GitHub may have run it.
 */
export function duplicateDispatches(github: FakeGithub): number {
  const ids = github
    .dispatches()
    .filter((d) => d.status === undefined || d.status < 300)
    .map((d) => payloadOf(d).deployId);
  return ids.length - new Set(ids).size;
}
