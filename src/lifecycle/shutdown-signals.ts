import { INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { WORKER_DRAIN_MS } from './worker-drain';
import { within } from '../common/within';

/** How long requests in progress get to finish once the listening socket is closed. */
export const HTTP_DRAIN_MS = 5_000;
/** Longer than both drains plus closing connections; shorter than a typical 30 s SIGKILL grace. */
export const SHUTDOWN_DEADLINE_MS = HTTP_DRAIN_MS + WORKER_DRAIN_MS + 5_000;

export interface ShutdownOptions {
  signals?: NodeJS.Signals[];
  deadlineMs?: number;
  exit?: (code: number) => void;
  /**
   * A repeat of the signal within this many ms is the same request delivered twice (under `npm run`, Ctrl-C
   * reaches the process from the terminal and again through npm), not a second Ctrl-C asking to hurry.
   */
  repeatGraceMs?: number;
}

/**
 * Graceful shutdown of the production process. On SIGTERM or SIGINT: stop accepting connections and let
 * requests in progress finish (bounded), then close the app, whose hooks drain the deploy worker
 * (WorkerDrain, bounded) and close BullMQ, Redis, S3 and GitHub clients, then exit 0.
 * Not Nest's enableShutdownHooks: that closes the HTTP server only after other hooks ran, re-raises the
 * signal (the process then ends "killed by SIGTERM", not 0), has no deadline and ignores a second Ctrl-C.
 * Here a hung close exits 1 after `deadlineMs`, and a second signal exits 1 at once.
 */
export function exitGracefullyOnSignals(app: INestApplication, options: ShutdownOptions = {}): void {
  const {
    signals = ['SIGTERM', 'SIGINT'],
    deadlineMs = SHUTDOWN_DEADLINE_MS,
    exit = (code) => process.exit(code),
    repeatGraceMs = 0,
  } = options;
  const logger = new Logger('Shutdown');
  let closing = false;
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing && Date.now() - firstAt < repeatGraceMs) return;
    if (closing) {
      logger.warn(`${signal} received again: exiting now without waiting`);
      exit(1);
      return;
    }
    closing = true;
    firstAt = Date.now();
    logger.log(`${signal} received: no new connections; finishing work in progress (at most ${deadlineMs} ms)`);
    const deadline = setTimeout(() => {
      logger.error(
        `shutdown did not finish within ${deadlineMs} ms: exiting anyway (another worker takes over a deploy left in progress)`,
      );
      exit(1);
    }, deadlineMs);
    deadline.unref();
    stopAccepting(app.getHttpServer() as Server)
      .then(() => app.close())
      .then(
        () => {
          clearTimeout(deadline);
          logger.log('shutdown complete');
          exit(0);
        },
        (error: unknown) => {
          logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
          exit(1);
        },
      );
  };
  for (const signal of signals) process.on(signal, onSignal);
}

/**
 * Closes the listening socket, then resolves once every connection has ended (at most `drainMs`).
 * Node keeps a keep-alive connection open after its last response until its idle timeout, so idle
 * connections are closed as soon as each request in progress has been answered.
 */
export async function stopAccepting(server: Server, drainMs = HTTP_DRAIN_MS): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweeper = setInterval(() => server.closeIdleConnections(), 25);
  server.closeIdleConnections();
  await within(closed, drainMs, () => undefined);
  clearInterval(sweeper);
}
