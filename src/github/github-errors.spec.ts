import fc from 'fast-check';
import {
  classifyGithubError,
  GithubErrorContext,
  MAX_RETRY_AFTER_MS,
  requestedWaitMs,
  SECONDARY_LIMIT_MIN_WAIT_MS,
} from './github-errors';
import { GithubDispatchError } from './github.types';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const context: GithubErrorContext = {
  repository: 'acme/blog',
  apiUrl: 'https://api.github.com',
  timeoutMs: 10_000,
  secret: TOKEN,
  now: NOW,
};

/** The shape Octokit's RequestError has when GitHub answered. */
function answered(status: number, data: unknown = {}, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error('HttpError'), { status, response: { status, url: 'x', headers, data } });
}

/** The shape Octokit's RequestError has when fetch itself failed: status 500, no response. */
function unreachable(cause: Error): Error {
  return Object.assign(new Error(cause.message), { name: 'HttpError', status: 500, cause });
}

const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
const secondary = {
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
};

interface Case {
  name: string;
  error: unknown;
  retryable: boolean;
  retryAfterMs?: number;
  status?: number;
  says: RegExp[];
}

const cases: Case[] = [
  {
    name: '401',
    error: answered(401, { message: 'Bad credentials' }),
    retryable: false,
    status: 401,
    says: [/401 Bad credentials/, /missing, expired or revoked/, /set GITHUB_TOKEN/],
  },
  {
    name: '404',
    error: answered(404, { message: 'Not Found' }),
    retryable: false,
    status: 404,
    says: [
      /acme\/blog/,
      /does not exist or the token cannot see it/,
      /"repo" scope/,
      /Contents: read & write/,
      /owner must have access/,
    ],
  },
  {
    name: '422 quotes GitHub',
    error: answered(422, {
      message: 'No more than 10 properties are allowed; 11 were supplied.',
      documentation_url: 'https://docs.github.com/rest',
    }),
    retryable: false,
    status: 422,
    says: [/No more than 10 properties are allowed; 11 were supplied\./, /DEPLOY_EVENT_TYPE/, /docs\.github\.com/],
  },
  {
    name: '422 with errors list',
    error: answered(422, { message: 'Validation Failed', errors: [{ field: 'event_type', code: 'missing' }] }),
    retryable: false,
    status: 422,
    says: [/Validation Failed/, /event_type/],
  },
  {
    name: '429 Retry-After seconds',
    error: answered(429, {}, { 'retry-after': '7' }),
    retryable: true,
    retryAfterMs: 7_000,
    status: 429,
    says: [/secondary rate limit/, /7 s/],
  },
  {
    name: '429 Retry-After date',
    error: answered(429, {}, { 'retry-after': new Date(NOW + 90_000).toUTCString() }),
    retryable: true,
    retryAfterMs: 90_000,
    status: 429,
    says: [/90 s/],
  },
  {
    name: '429 with no header waits a minute',
    error: answered(429, secondary),
    retryable: true,
    retryAfterMs: SECONDARY_LIMIT_MIN_WAIT_MS,
    status: 429,
    says: [/secondary rate limit/],
  },
  {
    name: '403 primary limit used up',
    error: answered(
      403,
      { message: 'API rate limit exceeded for user ID 1.' },
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 120) },
    ),
    retryable: true,
    retryAfterMs: 121_000,
    status: 403,
    says: [/rate limit for this token is used up/],
  },
  {
    name: '403 secondary, no header',
    error: answered(403, secondary),
    retryable: true,
    retryAfterMs: SECONDARY_LIMIT_MIN_WAIT_MS,
    status: 403,
    says: [/secondary rate limit/, /60 s/],
  },
  {
    name: '403 secondary with Retry-After',
    error: answered(403, secondary, { 'retry-after': '30' }),
    retryable: true,
    retryAfterMs: 30_000,
    status: 403,
    says: [/30 s/],
  },
  {
    name: '403 forbidden (not a limit)',
    error: answered(
      403,
      { message: 'Resource protected by organization SAML enforcement.' },
      { 'x-ratelimit-remaining': '4999' },
    ),
    retryable: false,
    status: 403,
    says: [/403 Forbidden/, /SAML enforcement/, /single sign-on/],
  },
  {
    name: '500',
    error: answered(500, ''),
    retryable: true,
    status: 500,
    says: [/500 Internal Server Error/, /githubstatus/],
  },
  {
    name: '502 HTML body',
    error: answered(502, '<html>Bad gateway</html>'),
    retryable: true,
    status: 502,
    says: [/502 Bad Gateway/],
  },
  {
    name: '503 with Retry-After',
    error: answered(503, {}, { 'retry-after': '3' }),
    retryable: true,
    retryAfterMs: 3_000,
    status: 503,
    says: [/503/],
  },
  {
    name: '400 other client error',
    error: answered(400, { message: 'Problems parsing JSON' }),
    retryable: false,
    status: 400,
    says: [/Problems parsing JSON/],
  },
  {
    name: 'connection refused',
    error: unreachable(new Error('connect ECONNREFUSED 127.0.0.1:9')),
    retryable: true,
    says: [/Could not reach GitHub at https:\/\/api\.github\.com/, /ECONNREFUSED/, /GITHUB_API_URL/],
  },
  { name: 'timeout', error: unreachable(timeout), retryable: true, says: [/did not answer within 10 s/] },
  { name: 'bare timeout', error: timeout, retryable: true, says: [/did not answer within 10 s/] },
  { name: 'not an Error at all', error: 'boom', retryable: true, says: [/Could not reach GitHub/, /boom/] },
];

describe('classifyGithubError', () => {
  it.each(cases)('$name', ({ error, retryable, retryAfterMs, status, says }) => {
    const classified = classifyGithubError(error, context);
    expect(classified).toBeInstanceOf(GithubDispatchError);
    expect(classified.retryable).toBe(retryable);
    expect(classified.retryAfterMs).toBe(retryAfterMs);
    expect(classified.status).toBe(status);
    for (const pattern of says) expect(classified.message).toMatch(pattern);
    expect(classified.message).not.toContain(TOKEN);
  });

  it('scrubs the token and token-shaped strings that GitHub echoes back', () => {
    const other = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop';
    const classified = classifyGithubError(answered(422, { message: `event ${TOKEN} and ${other} rejected` }), context);
    expect(classified.message).toContain('[REDACTED]');
    expect(classified.message).not.toContain(TOKEN);
    expect(classified.message).not.toContain(other);
  });

  it('never leaks the secret, whatever GitHub says', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.constantFrom(400, 403, 404, 422, 429, 500, 502),
        (before, after, status) => {
          const message = classifyGithubError(
            answered(status, { message: `${before}${TOKEN}${after}` }),
            context,
          ).message;
          return !message.includes(TOKEN);
        },
      ),
    );
  });

  it('keeps an already classified error', () => {
    const error = new GithubDispatchError('already explained', false, undefined, 401);
    expect(classifyGithubError(error, context)).toBe(error);
  });
});

describe('requestedWaitMs', () => {
  it('reads Retry-After seconds and dates, and the reset time only when the limit is used up', () => {
    expect(requestedWaitMs({ 'retry-after': '0' }, NOW)).toBe(0);
    expect(requestedWaitMs({ 'retry-after': new Date(NOW - 5_000).toUTCString() }, NOW)).toBe(0);
    expect(
      requestedWaitMs({ 'x-ratelimit-reset': String(NOW / 1000 + 60), 'x-ratelimit-remaining': '10' }, NOW),
    ).toBeUndefined();
    expect(
      requestedWaitMs(
        { 'retry-after': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 600) },
        NOW,
      ),
    ).toBe(5_000);
    expect(requestedWaitMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(requestedWaitMs({}, NOW)).toBeUndefined();
  });

  it('is never negative and never longer than an hour', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 4 * 10 ** 9 }),
        (retryAfter, reset) => {
          for (const headers of [
            { 'retry-after': String(retryAfter) },
            { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
          ]) {
            const wait = requestedWaitMs(headers, NOW)!;
            if (wait < 0 || wait > MAX_RETRY_AFTER_MS) return false;
          }
          return true;
        },
      ),
    );
  });
});
