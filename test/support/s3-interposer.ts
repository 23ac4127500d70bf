import { IncomingMessage, Server, ServerResponse, createServer, request } from 'node:http';
import { AddressInfo } from 'node:net';

/** What the interposer is about to forward: method, path (`/bucket/key`) and headers, lower-cased. */
export interface InterceptedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

/** What to do around a matching request; each is awaited. */
export interface Interposition {
  /** Before it is forwarded: e.g. change the object behind the service's back between its read and its write. */
  before?: () => Promise<void>;
  /** Once S3 has answered, before the answer is passed on: the write is done, and its writer does not know yet. */
  beforeAnswer?: () => Promise<void>;
}

/**
 * An HTTP pass-through in front of an S3 server, for tests that need another writer to act at an exact
 * moment. Requests are forwarded byte for byte (the Host header included, so the SDK's signature still holds).
 */
export class S3Interposer {
  private hook: (Interposition & { matches: (req: InterceptedRequest) => boolean; times: number }) | null = null;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(target: string): Promise<S3Interposer> {
    const upstream = new URL(target);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const interposer = new S3Interposer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void interposer.forward(upstream, req, res));
    return interposer;
  }

  /** Acts around the next `times` requests that `matches` accepts; a function alone runs before each. */
  interpose(
    matches: (req: InterceptedRequest) => boolean,
    what: Interposition | (() => Promise<void>),
    times = 1,
  ): void {
    this.hook = { matches, times, ...(typeof what === 'function' ? { before: what } : what) };
  }

  private async forward(upstream: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hook = this.hook;
    const matched =
      hook !== null &&
      hook.times > 0 &&
      hook.matches({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    if (matched) {
      hook.times--;
      await hook.before?.();
    }
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const passOn = (): void => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        if (matched && hook.beforeAnswer) void hook.beforeAnswer().then(passOn, () => res.destroy());
        else passOn();
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
