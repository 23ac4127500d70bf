import { INestApplication } from '@nestjs/common';
import { createServer, Agent, get, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exitGracefullyOnSignals, stopAccepting } from './shutdown-signals';

/** A private signal name, emitted on `process` by hand: no real signal is sent. */
const SIGNAL: NodeJS.Signals = 'SIGUSR2';

function fakeApp(close: () => Promise<void>, order: string[] = []): INestApplication {
  const server = createServer();
  return {
    getHttpServer: () => server,
    close: () => (order.push('close'), close()),
  } as unknown as INestApplication;
}

function exits(): { codes: number[]; next: Promise<number>; exit: (code: number) => void } {
  const codes: number[] = [];
  let resolve!: (code: number) => void;
  const next = new Promise<number>((r) => (resolve = r));
  return { codes, next, exit: (code) => (codes.push(code), resolve(code)) };
}

describe('exitGracefullyOnSignals', () => {
  afterEach(() => process.removeAllListeners(SIGNAL));

  it('closes the app and exits 0', async () => {
    const order: string[] = [];
    const { codes, next, exit } = exits();
    exitGracefullyOnSignals(
      fakeApp(() => (order.push('closed'), Promise.resolve()), order),
      { signals: [SIGNAL], exit },
    );
    process.emit(SIGNAL, SIGNAL);
    expect(await next).toBe(0);
    expect(order).toEqual(['close', 'closed']);
    expect(codes).toEqual([0]);
  });

  it('exits 1 at once on a second signal', async () => {
    const { codes, next, exit } = exits();
    exitGracefullyOnSignals(
      fakeApp(() => new Promise(() => undefined)),
      { signals: [SIGNAL], exit },
    );
    process.emit(SIGNAL, SIGNAL);
    process.emit(SIGNAL, SIGNAL);
    expect(await next).toBe(1);
    expect(codes).toEqual([1]);
  });

  it('takes a repeat within repeatGraceMs for the same request (Ctrl-C through the terminal and through npm)', async () => {
    const { codes, next, exit } = exits();
    let finish!: () => void;
    exitGracefullyOnSignals(
      fakeApp(() => new Promise<void>((resolve) => (finish = resolve))),
      { signals: [SIGNAL], exit, repeatGraceMs: 60_000 },
    );
    process.emit(SIGNAL, SIGNAL);
    process.emit(SIGNAL, SIGNAL);
    await new Promise((resolve) => setImmediate(resolve));
    finish();
    expect(await next).toBe(0);
    expect(codes).toEqual([0]);
  });

  it('exits 1 when closing hangs past the deadline', async () => {
    const { next, exit } = exits();
    exitGracefullyOnSignals(
      fakeApp(() => new Promise(() => undefined)),
      { signals: [SIGNAL], exit, deadlineMs: 50 },
    );
    process.emit(SIGNAL, SIGNAL);
    expect(await next).toBe(1);
  });

  it('exits 1 when closing fails', async () => {
    const { next, exit } = exits();
    exitGracefullyOnSignals(
      fakeApp(() => Promise.reject(new Error('boom'))),
      { signals: [SIGNAL], exit },
    );
    process.emit(SIGNAL, SIGNAL);
    expect(await next).toBe(1);
  });
});

describe('stopAccepting', () => {
  let server: Server;
  afterEach(() => server?.closeAllConnections());

  it('refuses new connections, lets the request in progress finish, and does not wait for keep-alive idling', async () => {
    server = createServer((_req, res) => setTimeout(() => res.end('done'), 200));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true });
    const answer = new Promise<string>((resolve, reject) =>
      get({ port, host: '127.0.0.1', agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject),
    );
    await new Promise((resolve) => setTimeout(resolve, 50)); // the request is in progress
    const started = Date.now();
    await stopAccepting(server, 5_000);
    expect(await answer).toBe('done');
    // Node would keep the idle keep-alive connection (and server.close) open for 5 s; stopAccepting does not.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.listening).toBe(false);
    agent.destroy();
  });
});
