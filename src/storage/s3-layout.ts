import { randomUUID } from 'node:crypto';
import { isValidId } from '../common/ids';
import { ENTITY_KINDS, EntityKind } from '../content/content-change';

/**
 * Where everything lives in the bucket: the only module that builds or parses an S3 key.
 *
 *   {S3_PREFIX}authors/{id}.json   one author, exactly the JSON the API returns
 *   {S3_PREFIX}posts/{id}.json     one post
 *   {S3_PREFIX}deploys/...         the service's own objects: the record of the last dispatch, capability probes
 *
 * Nothing but entity documents is ever written under authors/ and posts/: the site is built from them.
 * Keys below are relative to S3_PREFIX; S3StorageService adds and strips the prefix with
 * `withPrefix` / `withoutPrefix`, so no other code concatenates keys.
 */

const FOLDERS: Record<EntityKind, string> = { author: 'authors/', post: 'posts/' };
const KIND_OF_FOLDER = new Map<string, EntityKind>(ENTITY_KINDS.map((kind) => [FOLDERS[kind], kind]));
const SUFFIX = '.json';

/** The service's own folder, outside the content folders (the site never reads it). */
export const SERVICE_FOLDER = 'deploys/';

/** The record of what the last dispatch deployed; it survives a Redis that lost its data. */
export const DEPLOY_MARKER_KEY = `${SERVICE_FOLDER}last-dispatched.json`;

const PROBE_FOLDER = `${SERVICE_FOLDER}probes/`;

/** The folder (list prefix) holding every entity of `kind`: `authors/` or `posts/`. */
export function contentFolder(kind: EntityKind): string {
  return FOLDERS[kind];
}

/** The key of one entity. The id is the identity: a document is only ever read from and written to its own key. */
export function contentKey(kind: EntityKind, id: string): string {
  if (!isValidId(id)) throw new Error(`not a valid ${kind} id: ${JSON.stringify(id)}`);
  return `${FOLDERS[kind]}${id}${SUFFIX}`;
}

export interface ContentKeyParts {
  kind: EntityKind;
  id: string;
}

/**
 * The entity a key names, or null for anything that is not `{folder}/{id}.json` with a valid id
 * (objects other tools put into the folders that no API path could address).
 */
export function parseContentKey(key: string): ContentKeyParts | null {
  const slash = key.indexOf('/');
  if (slash < 0 || !key.endsWith(SUFFIX)) return null;
  const kind = KIND_OF_FOLDER.get(key.slice(0, slash + 1));
  const id = key.slice(slash + 1, -SUFFIX.length);
  return kind !== undefined && isValidId(id) ? { kind, id } : null;
}

/** A fresh, unique key for a short-lived object the service writes to learn what the S3 server supports. */
export function probeKey(purpose: string): string {
  if (!/^[a-z0-9-]+$/.test(purpose)) throw new Error(`probe purpose must be a lowercase slug: ${purpose}`);
  return `${PROBE_FOLDER}${purpose}-${randomUUID()}${SUFFIX}`;
}

/** The full object key in the bucket for a key relative to S3_PREFIX. */
export function withPrefix(prefix: string, key: string): string {
  return prefix + key;
}

/** The key relative to S3_PREFIX of a full object key listed from the bucket, or null when it lies outside the prefix. */
export function withoutPrefix(prefix: string, fullKey: string): string | null {
  return fullKey.startsWith(prefix) ? fullKey.slice(prefix.length) : null;
}
