import { IncomingMessage, Server, ServerResponse, createServer, request } from 'node:http';
import { AddressInfo } from 'node:net';

/** What the interposer is about to forward: method, path (`/bucket/key`) and headers, lower-cased. */
export interface InterceptedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

/**
 * An HTTP pass-through in front of an S3 server, for tests that need another writer to act at an exact
 * moment: `before` runs (and is awaited) before a matching request is forwarded, e.g. to change the object
 * behind the service's back between its read and its conditional write. Requests are forwarded byte for
 * byte (the Host header included, so the SDK's signature still holds).
 */
export class S3Interposer {
  private hook: { matches: (req: InterceptedRequest) => boolean; before: () => Promise<void>; times: number } | null =
    null;

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

  /** Runs `before` ahead of the next `times` requests that `matches` accepts. */
  interpose(matches: (req: InterceptedRequest) => boolean, before: () => Promise<void>, times = 1): void {
    this.hook = { matches, before, times };
  }

  private async forward(upstream: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hook = this.hook;
    if (
      hook !== null &&
      hook.times > 0 &&
      hook.matches({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    ) {
      hook.times--;
      await hook.before();
    }
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
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
