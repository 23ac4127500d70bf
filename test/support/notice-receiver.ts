import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** A stand-in for a Slack/Teams incoming webhook: records every JSON POST; answers scripted statuses first, then 200. */
export class NoticeReceiver {
  readonly notices: Record<string, unknown>[] = [];
  /** Statuses for the next requests, in order (e.g. 500 to make the service retry). */
  readonly statuses: number[] = [];
  attempts = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<NoticeReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new NoticeReceiver(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secret-token-part`,
    );
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.attempts++;
        const status = receiver.statuses.shift() ?? 200;
        if (status < 300)
          receiver.notices.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
        res.writeHead(status).end(status < 300 ? 'ok' : 'no');
      });
    });
    return receiver;
  }

  about(deployId: string): Record<string, unknown>[] {
    return this.notices.filter((notice) => notice.deployId === deployId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
