import S3rver from 's3rver';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long stop() waits for handlers still running (writing files) before removing a temporary folder. */
const HANDLERS_GRACE_MS = 1_000;

/** Credentials the embedded server accepts; the SDK signs requests with them. */
export const EMBEDDED_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface EmbeddedS3Options {
  /** Keep objects in this folder across restarts; without it a temporary folder is used and removed on stop. */
  dir?: string;
  port?: number;
  buckets?: string[];
}

/**
 * Counts s3rver's requests until their handler is done; the answer resolves when none is running. A client that went
 * away mid-write (a killed process) leaves s3rver still writing files, and removing the folder under it would then
 * fail that write in this process. Installed before `run()`, which composes Koa's middleware. (A handler whose
 * client left before sending the whole body may never end: stop() waits for them a short while only.)
 */
function trackHandlers(server: S3rver): () => Promise<void> {
  let inFlight = 0;
  let idle: (() => void) | null = null;
  server.middleware.unshift(async (_ctx, next) => {
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
      if (inFlight === 0) idle?.();
    }
  });
  return () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve)));
}

/**
 * An S3-protocol server in this process (s3rver). It ignores conditional-write headers, which is why the
 * service also serializes writes with a Redis lock. ListObjectsV2 continuation tokens need Node's
 * --openssl-legacy-provider (set by the npm scripts).
 */
export class EmbeddedS3 {
  private constructor(
    private readonly server: S3rver,
    readonly endpoint: string,
    private readonly tempDir: string | undefined,
    private readonly handlersDone: () => Promise<void>,
  ) {}

  static async start(options: EmbeddedS3Options = {}): Promise<EmbeddedS3> {
    const tempDir = options.dir ? undefined : mkdtempSync(join(tmpdir(), 'blog-s3-'));
    const directory = options.dir ?? tempDir!;
    mkdirSync(directory, { recursive: true });
    const server = new S3rver({
      address: '127.0.0.1',
      port: options.port ?? 0,
      silent: true,
      directory,
      configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
    });
    const handlersDone = trackHandlers(server);
    const { port } = await server.run();
    return new EmbeddedS3(server, `http://127.0.0.1:${port}`, tempDir, handlersDone);
  }

  async stop(): Promise<void> {
    await this.server.close();
    await Promise.race([this.handlersDone(), sleep(HANDLERS_GRACE_MS, undefined, { ref: false })]);
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
  }
}
