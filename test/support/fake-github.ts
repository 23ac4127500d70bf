import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { FakeGithubApp } from './fake-github-app';
import {
  DEFAULT_ENDPOINT_GROUPS,
  EndpointGroup,
  FakeEndpoint,
  FakeResponse,
  NOT_FOUND,
  RecordedRequest,
} from './fake-github-endpoints';
import { FakeGithubWorkflows } from './fake-github-workflows';

export type { EndpointGroup, FakeEndpoint, FakeResponse, RecordedRequest } from './fake-github-endpoints';

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

/**
 * A stand-in for the GitHub REST API on 127.0.0.1 (a free port), for tests: point GITHUB_API_URL at `url`.
 * It records every request and answers the endpoints of its groups (fake-github-endpoints.ts) with their
 * defaults unless a test scripted (`respond`) or held (`hold`) an answer; anything else is a 404.
 * It counts overlapping dispatches.
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

  /** Set: every request must authenticate as this GitHub App (fake-github-app.ts). */
  app?: FakeGithubApp;
  /** The workflows `workflow_dispatch` can start (fake-github-workflows.ts). */
  workflows = new FakeGithubWorkflows(() => this.url);

  private readonly endpoints: FakeEndpoint[] = [];
  private readonly answeredListeners: ((request: RecordedRequest) => void)[] = [];
  private scripted = new Map<string, FakeResponse[]>();
  private holds = new Map<string, PendingHold[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly releases = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(groups: EndpointGroup[] = DEFAULT_ENDPOINT_GROUPS): Promise<FakeGithub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeGithub(server, `http://127.0.0.1:${port}`);
    for (const group of groups) fake.serve(group);
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  /** Adds a group of endpoints (a feature's own file) to this fake. */
  serve(group: EndpointGroup): this {
    this.endpoints.push(...group(this));
    return this;
  }

  /** Calls `listener` after each answer (a feature's fake reacting to what GitHub accepted, e.g. a dispatch starting a run). */
  onAnswered(listener: (request: RecordedRequest) => void): this {
    this.answeredListeners.push(listener);
    return this;
  }

  /** Queues answers for the next requests to `route`, in order; afterwards the default applies again. */
  respond(route: string, ...responses: FakeResponse[]): this {
    this.queue(this.scripted, route).push(...responses);
    return this;
  }

  /** Keeps the next request to `route` (not yet arrived) open until `release()`. */
  hold(route = 'dispatch'): Hold {
    let arrive!: (request: RecordedRequest) => void;
    let release!: (response?: FakeResponse) => void;
    const arrived = new Promise<RecordedRequest>((resolve) => (arrive = resolve));
    const released = new Promise<FakeResponse | undefined>((resolve) => (release = resolve));
    const releaseOnce = () => release(undefined);
    this.releases.add(releaseOnce);
    this.queue(this.holds, route).push({ arrive, released });
    return { arrived, release: (response) => (this.releases.delete(releaseOnce), release(response)) };
  }

  /** The recorded deploy triggers (`POST …/dispatches` and any endpoint marked `dispatch`), oldest first. */
  dispatches(): RecordedRequest[] {
    const routes = new Set(this.endpoints.filter((e) => e.dispatch).map((e) => e.route));
    return this.requests.filter((r) => routes.has(r.route));
  }

  /** Forgets requests, scripts, holds and counters (open requests are still answered). */
  reset(): void {
    this.requests.length = 0;
    this.scripted.clear();
    this.holds.clear();
    this.delayMs = 0;
    this.permissions = { admin: false, push: true, pull: true };
    this.app = undefined;
    this.workflows = new FakeGithubWorkflows(() => this.url);
    this.maxConcurrentDispatches = this.inFlightDispatches;
  }

  async close(): Promise<void> {
    for (const release of this.releases) release();
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private queue<T>(map: Map<string, T[]>, route: string): T[] {
    if (!this.endpoints.some((e) => e.route === route)) throw new Error(`the fake GitHub has no endpoint "${route}"`);
    let list = map.get(route);
    if (!list) map.set(route, (list = []));
    return list;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const bare = path.split('?')[0];
    const endpoint = this.endpoints.find((e) => e.method === method && e.path.test(bare));
    const recorded: RecordedRequest = {
      route: endpoint?.route ?? 'unknown',
      method,
      path,
      headers: req.headers,
      body: undefined,
      startedAt: Date.now(),
    };
    this.requests.push(recorded);
    if (endpoint?.dispatch) {
      this.inFlightDispatches++;
      this.maxConcurrentDispatches = Math.max(this.maxConcurrentDispatches, this.inFlightDispatches);
    }
    res.on('close', () => {
      recorded.endedAt = Date.now();
      if (endpoint?.dispatch) this.inFlightDispatches--;
    });
    recorded.body = await readBody(req);

    // A request the App's credentials do not allow is refused before any scripted answer is used up.
    const refusal = endpoint && this.app?.refuse(recorded);
    let response =
      refusal ?? (endpoint ? endpoint.answer(recorded, this.scripted.get(endpoint.route)?.shift()) : NOT_FOUND);
    const hold = !refusal && endpoint && this.holds.get(endpoint.route)?.shift();
    if (hold) {
      hold.arrive(recorded);
      const released = await hold.released;
      if (released) response = endpoint.answer(recorded, released);
    }
    const delayMs = response.delayMs ?? this.delayMs;
    if (delayMs > 0) await this.sleep(delayMs);
    if (res.destroyed) return; // the client gave up (its timeout) or the fake was closed
    const headers: Record<string, string> = {
      'x-github-request-id': `FAKE:${this.requests.length}`,
      ...response.headers,
    };
    if (response.body !== undefined && response.status !== 204) {
      res.writeHead(response.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(response.body));
    } else {
      res.writeHead(response.status, headers);
      res.end();
    }
    recorded.status = response.status;
    for (const listener of this.answeredListeners) listener(recorded);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.timers.delete(timer), resolve()), ms);
      this.timers.add(timer);
    });
  }
}

/** The request body: parsed JSON, the raw text when it is not JSON, undefined when empty. */
async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
