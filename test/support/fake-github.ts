import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** The two GitHub endpoints the service calls. */
export type FakeRoute = 'dispatch' | 'repo';

/** One scripted answer. `body` is sent as JSON (GitHub's errors look like `{ message, documentation_url }`). */
export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Answer this much later (overrides FakeGithub.delayMs). */
  delayMs?: number;
}

export interface RecordedRequest {
  route: FakeRoute | 'unknown';
  method: string;
  /** Path with query, e.g. `/repos/acme/blog/dispatches`. */
  path: string;
  /** Node lower-cases header names: `authorization`, `accept`, `x-github-api-version`. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it is not JSON (undefined when empty). */
  body: unknown;
  /** Date.now() when the request arrived / when its connection finished or was dropped. */
  startedAt: number;
  endedAt?: number;
  /** Status we answered with; undefined if the client went away first (e.g. its timeout). */
  status?: number;
}

/** A request kept open until released. */
export interface Hold {
  /** Resolves when the held request has arrived. */
  arrived: Promise<RecordedRequest>;
  /** Answers it: with `response`, or with whatever it would have got. */
  release(response?: FakeResponse): void;
}

interface PendingHold {
  arrive: (request: RecordedRequest) => void;
  released: Promise<FakeResponse | undefined>;
}

const DEFAULTS: Record<FakeRoute | 'unknown', () => FakeResponse> = {
  dispatch: () => ({ status: 204 }),
  repo: () => ({ status: 200 }), // answered with `{ full_name, permissions }`
  unknown: () => ({ status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } }),
};

function routeOf(method: string, path: string): FakeRoute | 'unknown' {
  const bare = path.split('?')[0];
  if (method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/dispatches$/.test(bare)) return 'dispatch';
  if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+$/.test(bare)) return 'repo';
  return 'unknown';
}

/**
 * A stand-in for the GitHub REST API on 127.0.0.1 (a free port), for tests: point GITHUB_API_URL at `url`.
 * It records every request, answers `POST /repos/:owner/:repo/dispatches` with 204 and `GET /repos/:owner/:repo`
 * with 200 `{ full_name, permissions }` unless scripted, and counts overlapping dispatches.
 */
export class FakeGithub {
  readonly requests: RecordedRequest[] = [];
  /** Default delay before every answer. */
  delayMs = 0;
  /** What `GET /repos/:owner/:repo` reports by default. */
  permissions: Record<string, boolean> = { admin: false, push: true, pull: true };
  /** Dispatch requests open right now, and the most that were ever open at once. */
  inFlightDispatches = 0;
  maxConcurrentDispatches = 0;

  /** Endpoints served by feature fakes (Actions runs, …), asked in order for requests no route above matches. */
  readonly extensions: ((request: RecordedRequest) => FakeResponse | undefined)[] = [];
  /** Told about every dispatch answered with a 2xx (after the answer). */
  readonly dispatchListeners: ((request: RecordedRequest) => void)[] = [];

  private scripted: Record<FakeRoute, FakeResponse[]> = { dispatch: [], repo: [] };
  private holds: Record<FakeRoute, PendingHold[]> = { dispatch: [], repo: [] };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly releases = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeGithub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeGithub(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  /** Queues answers for the next requests to `route`, in order; afterwards the default applies again. */
  respond(route: FakeRoute, ...responses: FakeResponse[]): this {
    this.scripted[route].push(...responses);
    return this;
  }

  /** Keeps the next request to `route` (not yet arrived) open until `release()`. */
  hold(route: FakeRoute = 'dispatch'): Hold {
    let arrive!: (request: RecordedRequest) => void;
    let release!: (response?: FakeResponse) => void;
    const arrived = new Promise<RecordedRequest>((resolve) => (arrive = resolve));
    const released = new Promise<FakeResponse | undefined>((resolve) => (release = resolve));
    const releaseOnce = () => release(undefined);
    this.releases.add(releaseOnce);
    this.holds[route].push({ arrive, released });
    return { arrived, release: (response) => (this.releases.delete(releaseOnce), release(response)) };
  }

  /** The recorded `POST …/dispatches` requests, oldest first. */
  dispatches(): RecordedRequest[] {
    return this.requests.filter((r) => r.route === 'dispatch');
  }

  /** Forgets requests, scripts, holds and counters (open requests are still answered). */
  reset(): void {
    this.requests.length = 0;
    this.scripted = { dispatch: [], repo: [] };
    this.holds = { dispatch: [], repo: [] };
    this.delayMs = 0;
    this.permissions = { admin: false, push: true, pull: true };
    this.maxConcurrentDispatches = this.inFlightDispatches;
  }

  async close(): Promise<void> {
    for (const release of this.releases) release();
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const route = routeOf(method, path);
    const recorded: RecordedRequest = { route, method, path, headers: req.headers, body: undefined, startedAt };
    this.requests.push(recorded);
    if (route === 'dispatch') {
      this.inFlightDispatches++;
      this.maxConcurrentDispatches = Math.max(this.maxConcurrentDispatches, this.inFlightDispatches);
    }
    res.on('close', () => {
      recorded.endedAt = Date.now();
      if (route === 'dispatch') this.inFlightDispatches--;
    });

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      recorded.body = text === '' ? undefined : JSON.parse(text);
    } catch {
      recorded.body = text;
    }

    const extended = route === 'unknown' ? this.extensions.map((serve) => serve(recorded)).find((answer) => answer !== undefined) : undefined;
    let response = route === 'unknown' ? (extended ?? DEFAULTS.unknown()) : (this.scripted[route].shift() ?? DEFAULTS[route]());
    const hold = route === 'unknown' ? undefined : this.holds[route].shift();
    if (hold) {
      hold.arrive(recorded);
      response = (await hold.released) ?? response;
    }
    const delayMs = response.delayMs ?? this.delayMs;
    if (delayMs > 0) await this.sleep(delayMs);
    if (res.destroyed) return; // the client gave up (its timeout) or the fake was closed
    this.answer(res, recorded, response);
    recorded.status = response.status;
    if (route === 'dispatch' && response.status < 300) for (const listener of this.dispatchListeners) listener(recorded);
  }

  private answer(res: ServerResponse, recorded: RecordedRequest, response: FakeResponse): void {
    let body = response.body;
    if (recorded.route === 'repo' && response.status === 200) {
      // A scripted body may set its own `permissions` (or leave them out by giving `permissions: undefined`).
      const fullName = recorded.path.split('?')[0].replace(/^\/repos\//, '');
      body = { full_name: fullName, permissions: this.permissions, ...(body as object | undefined) };
    }
    const headers: Record<string, string> = { 'x-github-request-id': `FAKE:${this.requests.length}`, ...response.headers };
    if (body !== undefined && response.status !== 204) {
      res.writeHead(response.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    } else {
      res.writeHead(response.status, headers);
      res.end();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.timers.delete(timer), resolve()), ms);
      this.timers.add(timer);
    });
  }
}
