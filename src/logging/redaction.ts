import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * What never reaches a log line. Secrets are removed before a line is written (loggers.ts wires this into
 * pino), so they cannot leak through a forgotten call site.
 */
export const REDACTED = '[redacted]';

/** Field names that hold a secret wherever they appear. */
export const SECRET_FIELDS = [
  'token',
  'tokens',
  'accessToken',
  'apiToken',
  'apiTokens',
  'githubToken',
  'password',
  'secret',
  'clientSecret',
  'secretAccessKey',
  'authorization',
  'cookie',
] as const;
const SECRET_NAMES: ReadonlySet<string> = new Set(SECRET_FIELDS);

/** How deep a logged object is searched (an Octokit error's `err.request.headers.authorization` is at depth 3). */
const MAX_DEPTH = 6;

/** Headers whose values are credentials. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

/**
 * Paths pino redacts in the serialized request and response of a request line (pino-http's serializers run
 * after redactSecrets, so their output is covered here).
 */
export function redactPaths(): string[] {
  return [...SECRET_HEADERS.map((header) => `req.headers["${header}"]`), 'res.headers["set-cookie"]'];
}

/** Objects not searched: the raw request and response (serialized and redacted by path), sockets, binary data. */
function opaque(value: object): boolean {
  return (
    value instanceof IncomingMessage ||
    value instanceof ServerResponse ||
    value instanceof Socket ||
    ArrayBuffer.isView(value) ||
    value instanceof Date
  );
}

/**
 * A shallow copy keeping the prototype and every own property (an Error keeps its message, stack and name).
 * Accessors are read on the original: V8 keeps an Error's `stack` behind one, which answers nothing on a copy.
 */
function shallowCopy(value: object): Record<string, unknown> {
  if (Array.isArray(value)) return value.slice() as unknown as Record<string, unknown>;
  const descriptors = Object.getOwnPropertyDescriptors(value);
  for (const [key, descriptor] of Object.entries(descriptors))
    if (descriptor.get !== undefined)
      descriptors[key] = {
        value: (value as Record<string, unknown>)[key],
        writable: true,
        enumerable: descriptor.enumerable,
        configurable: true,
      };
  return Object.defineProperties(Object.create(Object.getPrototypeOf(value) as object | null), descriptors) as Record<
    string,
    unknown
  >;
}

/**
 * The value with every secret-named field, at any depth a log object reaches, replaced by REDACTED. One walk
 * per line; nothing is copied unless a secret is found, and then only the objects on the way to it (the
 * caller's objects are never changed).
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object' || opaque(value)) return value;
  let copy: Record<string, unknown> | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const inner = source[key];
    const next = SECRET_NAMES.has(key) ? REDACTED : redactSecrets(inner, depth + 1);
    if (next !== inner) (copy ??= shallowCopy(source))[key] = next;
  }
  return (copy ?? value) as T;
}

/** Query parameters masked in a logged URL: `?token=abc` would otherwise travel whole in `req.url`. */
const SECRET_QUERY = /^(?:.*token|.*password|.*secret|api[_-]?key|key|sig|signature|code)$/i;

/** The URL with the values of credential-like query parameters replaced; the path is kept as is. */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const [name] = pair.split('=', 1);
      return SECRET_QUERY.test(safeDecode(name)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}

/** A parsed query object with credential-like values replaced (the `query` field of a request line). */
export function redactQuery(query: unknown): unknown {
  if (query === null || typeof query !== 'object') return query;
  return Object.fromEntries(
    Object.entries(query).map(([name, value]) => [name, SECRET_QUERY.test(name) ? REDACTED : value]),
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
