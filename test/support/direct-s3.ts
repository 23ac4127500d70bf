import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import type { S3Credentials } from './backends/s3-backend';

export interface RawObject {
  text: string;
  contentType: string | undefined;
  etag: string | undefined;
}

/** Where a DirectS3 connects: a test stack's `s3` fits. */
export interface S3Target {
  endpoint: string;
  credentials: S3Credentials;
}

const JSON_TYPE = 'application/json; charset=utf-8';

const statusOf = (error: unknown): number | undefined => (error as S3ServiceException).$metadata?.httpStatusCode;

/**
 * The bucket as another tool sees it: the AWS SDK straight to the S3 server, never through the service's
 * storage class. Tests read what a static-site build would read, and write behind the service's back.
 * Keys given to `object`, `putText`, `putJson`, `readJson`, `delete` are full keys; `entity` adds the prefix.
 */
export class DirectS3 {
  private readonly client: S3Client;

  constructor(
    target: S3Target,
    readonly bucket: string,
    readonly prefix = '',
  ) {
    this.client = new S3Client({
      region: 'us-east-1',
      endpoint: target.endpoint,
      forcePathStyle: true,
      credentials: target.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async createBucket(): Promise<void> {
    await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
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
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  /** The stored entity at `{S3_PREFIX}{folder}/{id}.json`, or null. */
  entity(folder: 'authors' | 'posts', id: string): Promise<RawObject | null> {
    return this.object(this.entityKey(folder, id));
  }

  entityKey(folder: 'authors' | 'posts', id: string): string {
    return `${this.prefix}${folder}/${id}.json`;
  }

  async putText(key: string, text: string, contentType = JSON_TYPE): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: text, ContentType: contentType }),
    );
  }

  putJson(key: string, value: unknown): Promise<void> {
    return this.putText(key, JSON.stringify(value));
  }

  /** The object's JSON, or null when there is none. */
  async readJson<T>(key: string): Promise<T | null> {
    const found = await this.object(key);
    return found === null ? null : (JSON.parse(found.text) as T);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.object(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /**
   * Whether the server refuses a PutObject whose `If-None-Match: *` finds an object (real S3, MinIO and moto
   * do; the in-process server does not). Writes and removes one probe object.
   */
  async enforcesConditionalWrites(): Promise<boolean> {
    const key = `${this.prefix}conditional-write-probe-${Date.now()}`;
    await this.putText(key, '1', 'text/plain');
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: '2', IfNoneMatch: '*' }));
      return false;
    } catch (error) {
      if (statusOf(error) === 412) return true;
      throw error;
    } finally {
      await this.delete(key);
    }
  }

  close(): void {
    this.client.destroy();
  }
}
