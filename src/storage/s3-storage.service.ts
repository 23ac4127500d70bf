import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { withPrefix, withoutPrefix } from './s3-layout';
import { StorageConflictError } from './storage-errors';

export interface StoredObject {
  body: string;
  etag: string;
}

export interface ListedObject {
  key: string;
  etag: string;
}

export interface WriteConditions {
  /** Write only if the object's current ETag is this one. */
  ifMatch?: string;
  /** Write only if no object exists at the key. */
  ifNoneMatch?: '*';
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** Sockets per S3 endpoint: above the API's busiest concurrency (a burst of clients plus listing fetches). */
const S3_SOCKETS = 64;

/** No object at the key: NoSuchKey on a read, a bare 404 on a HEAD (no body to name the error) or a conditional delete. */
function isNotFound(error: unknown): boolean {
  return error instanceof NoSuchKey || (error as S3ServiceException | null)?.$metadata?.httpStatusCode === 404;
}

function isConditionFailure(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  const status = error.$metadata.httpStatusCode;
  return status === 412 || (status === 409 && error.name === 'ConditionalRequestConflict');
}

/**
 * The one class that talks to S3. Keys passed in are relative to S3_PREFIX (built by s3-layout.ts); the prefix is added here.
 * Sends If-Match / If-None-Match so real S3 and MinIO refuse lost updates; where the server ignores
 * those headers (ConditionalWrites finds out), callers serialize writes per key instead.
 */
@Injectable()
export class S3StorageService implements OnApplicationShutdown {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.bucket = config.s3.bucket;
    this.prefix = config.s3.prefix;
    // Keep-alive sockets, enough for every request in flight at once (each API call makes one or two small
    // S3 requests; connection set-up would dominate) and all kept open between bursts.
    const agentOptions = { keepAlive: true, maxSockets: S3_SOCKETS, maxFreeSockets: S3_SOCKETS };
    this.client = new S3Client({
      region: config.s3.region,
      endpoint: config.s3.endpoint,
      forcePathStyle: config.s3.endpoint !== undefined,
      // Checksums only where S3 requires them: some S3-compatible servers store aws-chunked framing otherwise,
      // and the SigV4 payload hash already covers the body (no second hash of every document).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Resolve each command's middleware stack once, not on every call (nothing here changes it later).
      cacheMiddleware: true,
      requestHandler: {
        httpAgent: new HttpAgent(agentOptions),
        httpsAgent: new HttpsAgent(agentOptions),
        connectionTimeout: 5_000,
        requestTimeout: 30_000,
      },
    });
  }

  /** The object's full key in the bucket (S3_PREFIX included), for messages a person acts on. */
  objectKey(key: string): string {
    return withPrefix(this.prefix, key);
  }

  async getText(key: string): Promise<StoredObject | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: withPrefix(this.prefix, key) }),
      );
      return { body: await out.Body!.transformToString('utf-8'), etag: out.ETag ?? '' };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Whether an object is at the key: a HEAD, cheaper than reading it where only its existence matters. */
  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: withPrefix(this.prefix, key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Writes a JSON document and returns its new ETag. Throws StorageConflictError when a condition fails. */
  async putJson(key: string, body: string, conditions: WriteConditions = {}): Promise<string> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: withPrefix(this.prefix, key),
          Body: Buffer.from(body, 'utf-8'),
          ContentType: JSON_CONTENT_TYPE,
          IfMatch: conditions.ifMatch,
          IfNoneMatch: conditions.ifNoneMatch,
        }),
      );
      return out.ETag ?? '';
    } catch (error) {
      if (isConditionFailure(error)) throw new StorageConflictError(key);
      throw error;
    }
  }

  /** Deletes an object; an object already gone is no error (S3 answers a conditional delete of one with 404). */
  async delete(key: string, conditions: Pick<WriteConditions, 'ifMatch'> = {}): Promise<void> {
    try {
      await this.client.send(
        new DeleteObjectCommand({
          Bucket: this.bucket,
          Key: withPrefix(this.prefix, key),
          IfMatch: conditions.ifMatch,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new StorageConflictError(key);
      if (isNotFound(error)) return;
      throw error;
    }
  }

  /** Every object under `keyPrefix` (relative to S3_PREFIX), with its ETag, through the SDK paginator. */
  async list(keyPrefix: string): Promise<ListedObject[]> {
    const objects: ListedObject[] = [];
    const pages = paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.bucket, Prefix: withPrefix(this.prefix, keyPrefix) },
    );
    for await (const page of pages) {
      for (const item of page.Contents ?? []) {
        const key = item.Key === undefined ? null : withoutPrefix(this.prefix, item.Key);
        if (key !== null) objects.push({ key, etag: item.ETag ?? '' });
      }
    }
    return objects;
  }

  /** Readiness probe: the bucket exists and the credentials can reach it. */
  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** For development and tests against an empty S3-compatible server; production buckets are made by their owners. */
  async createBucketIfMissing(): Promise<void> {
    try {
      await this.ping();
    } catch {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  onApplicationShutdown(): void {
    this.client.destroy();
  }
}
