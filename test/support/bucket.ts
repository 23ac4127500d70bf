import { GetObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { AppConfig } from '../../src/config/app-config';
import { EMBEDDED_S3_CREDENTIALS } from '../../src/dev/embedded-s3';
import { RunningApp, TestStack, startApp } from './stack';

export interface RawObject {
  text: string;
  contentType: string | undefined;
  etag: string | undefined;
}

/**
 * Reads the app's bucket with the AWS SDK directly, not through the service's storage class, so a test
 * sees exactly what a static-site build (or any other S3 reader) would see.
 */
export class BucketReader {
  private readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;

  constructor(config: AppConfig) {
    this.bucket = config.s3.bucket;
    this.prefix = config.s3.prefix;
    this.client = new S3Client({
      region: config.s3.region,
      endpoint: config.s3.endpoint,
      forcePathStyle: true,
      credentials: EMBEDDED_S3_CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Every key in the bucket (full keys, prefix included), sorted. */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket })) {
      for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
    }
    return keys.sort();
  }

  /** The object at a full key, or null when there is none. */
  async object(key: string): Promise<RawObject | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { text: await out.Body!.transformToString('utf-8'), contentType: out.ContentType, etag: out.ETag };
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw error;
    }
  }

  /** The stored entity at `{S3_PREFIX}{folder}/{id}.json`, or null. */
  entity(folder: 'authors' | 'posts', id: string): Promise<RawObject | null> {
    return this.object(`${this.prefix}${folder}/${id}.json`);
  }

  close(): void {
    this.client.destroy();
  }
}

/** One test file's stack, app and bucket reader: the setup most content tests share. */
export interface AppWithBucket {
  stack: TestStack;
  running: RunningApp;
  bucket: BucketReader;
  url: string;
}

export async function startAppWithBucket(env: Record<string, string | undefined> = {}): Promise<AppWithBucket> {
  const stack = await TestStack.start();
  const running = await startApp(stack.config(env));
  return { stack, running, bucket: new BucketReader(running.config), url: running.url };
}

/** Stops whatever of it started (safe after a failed beforeAll). */
export async function stopAppWithBucket(parts: Partial<AppWithBucket>): Promise<void> {
  parts.bucket?.close();
  await parts.running?.close();
  await parts.stack?.stop();
}
