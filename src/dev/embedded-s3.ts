import S3rver from 's3rver';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Credentials the embedded server accepts; the SDK signs requests with them. */
export const EMBEDDED_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface EmbeddedS3Options {
  /** Keep objects in this folder across restarts; without it a temporary folder is used and removed on stop. */
  dir?: string;
  port?: number;
  buckets?: string[];
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
    const { port } = await server.run();
    return new EmbeddedS3(server, `http://127.0.0.1:${port}`, tempDir);
  }

  async stop(): Promise<void> {
    await this.server.close();
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
  }
}
