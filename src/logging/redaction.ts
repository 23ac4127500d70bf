/**
 * What never reaches a log line. Secrets are removed by pino's compiled redaction (fast-redact) before a
 * line is written, so they cannot leak through a forgotten call site.
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

/**
 * fast-redact has no "any depth" wildcard, so each name is listed at the depths log objects reach:
 * `token`, `*.token`, ..., down to `err.request.headers.authorization` (Octokit errors) and
 * `req.query.token`.
 */
const MAX_DEPTH = 4;

/** Headers whose values are credentials. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

function atEveryDepth(name: string): string[] {
  return Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => [...Array<string>(depth).fill('*'), name].join('.'));
}

export function redactPaths(): string[] {
  return [
    ...SECRET_FIELDS.flatMap(atEveryDepth),
    ...SECRET_HEADERS.map((header) => `req.headers["${header}"]`),
    'res.headers["set-cookie"]',
  ];
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
