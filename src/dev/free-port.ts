import { createServer } from 'node:net';

/**
 * Ports handed out below Linux's ephemeral range (32768-60999 by default): the kernel takes the local ports of
 * outgoing connections from that range, and Docker the host ports it publishes, so a port chosen there and
 * bound a moment later can already be theirs. Ports are tried at random, so parallel test files rarely meet.
 */
const LOW = 20_000;
const HIGH = 32_767;

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(false) : reject(error),
    );
    // All interfaces, as the service binds: a port someone holds on 127.0.0.1 only counts as taken too.
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}

/** Whether something already listens on `port` (any interface, as the service binds). */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(true) : reject(error),
    );
    server.listen(port, () => server.close(() => resolve(false)));
  });
}
