import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * A bare keep-alive HTTP/1.1 client for the load generator: node:http with a pooled agent costs the
 * benchmark process far less CPU per request than fetch, and that CPU is shared with the service on 2 cores.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    private readonly token: string,
    maxSockets: number,
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    // Idle sockets are dropped before the service's 5 s keep-alive timeout closes them: reusing one the server
    // is closing at that moment fails the request with "socket hang up" (seen between the interleaved slices).
    this.agent = new Agent({ keepAlive: true, maxSockets, timeout: 4_000 });
  }

  send(method: string, path: string, body?: unknown): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf-8');
    const headers: Record<string, string | number> = { authorization: `Bearer ${this.token}` };
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf-8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Sends and insists on `expected`; anything else aborts the benchmark with the service's answer. */
  async expect(expected: number, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
    const answer = await this.send(method, path, body);
    if (answer.status !== expected)
      throw new Error(
        `${method} ${path} answered ${answer.status} (expected ${expected}): ${answer.body.slice(0, 300)}`,
      );
    return answer;
  }

  close(): void {
    this.agent.destroy();
  }
}
