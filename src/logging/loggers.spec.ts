import fc from 'fast-check';
import { Writable } from 'node:stream';
import { createRootLogger } from './loggers';
import { REDACTED, SECRET_FIELDS, redactQuery, redactUrl } from './redaction';

/** A root logger as production builds it, writing its JSON lines into an array. */
function capture(): {
  lines: () => Record<string, unknown>[];
  raw: () => string;
  logger: ReturnType<typeof createRootLogger>;
} {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf-8'));
      done();
    },
  });
  const logger = createRootLogger({ production: true, logLevel: 'info', role: 'all' }, sink);
  const raw = () => chunks.join('');
  const lines = () =>
    raw()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, raw, logger };
}

const SECRET = 'S3cr3t-value-that-must-not-leak';

describe('root logger', () => {
  it('writes one JSON line per call with a level name and an ISO time', () => {
    const { logger, lines } = capture();
    logger.info({ context: 'Test' }, 'hello');
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'hello',
        context: 'Test',
        role: 'all',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    ]);
  });

  it('redacts every secret-named field at any depth a log object reaches', () => {
    const field = fc.constantFrom(...SECRET_FIELDS);
    const pathAbove = fc.array(fc.constantFrom('a', 'deploy', 'request', 'headers', 'err'), { maxLength: 6 });
    fc.assert(
      fc.property(field, pathAbove, (name, above) => {
        const { logger, raw } = capture();
        const nested = [...above]
          .reverse()
          .reduce<Record<string, unknown>>((inner, key) => ({ [key]: inner }), { [name]: SECRET, kept: 'visible' });
        logger.info(nested, 'nested secret');
        expect(raw()).not.toContain(SECRET);
        expect(raw()).toContain(REDACTED);
        expect(raw()).toContain('visible');
      }),
    );
  });

  it("redacts an error's secret fields (an Octokit request's authorization) and keeps its type and message", () => {
    const { logger, lines, raw } = capture();
    class RequestError extends Error {
      request = { method: 'POST', headers: { authorization: `token ${SECRET}`, accept: 'json' } };
    }
    const error = new RequestError('Bad credentials');
    logger.error({ err: error, attempts: [{ token: SECRET }] }, 'dispatch failed');
    expect(raw()).not.toContain(SECRET);
    const line = lines()[0] as { err: { type: string; message: string; stack: string; request: unknown } };
    expect(line.err).toMatchObject({
      type: 'RequestError',
      message: 'Bad credentials',
      request: { method: 'POST', headers: { authorization: REDACTED, accept: 'json' } },
    });
    expect(line.err.stack).toContain('Bad credentials');
    // The caller's objects are left as they were.
    expect(error.request.headers.authorization).toBe(`token ${SECRET}`);
  });

  it('redacts request credential headers and response cookies', () => {
    const { logger, raw } = capture();
    logger.info(
      {
        req: {
          headers: {
            authorization: `Bearer ${SECRET}`,
            cookie: `sid=${SECRET}`,
            'x-api-key': SECRET,
            'user-agent': 'jest',
          },
        },
        res: { headers: { 'set-cookie': `sid=${SECRET}` } },
      },
      'request completed',
    );
    expect(raw()).not.toContain(SECRET);
    expect(raw()).toContain('jest');
  });

  it("keeps Nest's start-up inventory out of info logs", () => {
    const { logger, lines } = capture();
    logger.info({ context: 'RouterExplorer' }, 'Mapped {/authors, GET} route');
    logger.info({ context: 'Main' }, 'listening');
    expect(lines().map((l) => l.msg)).toEqual(['listening']);
  });

  it('honours the configured level', () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf-8'));
        done();
      },
    });
    const logger = createRootLogger({ production: true, logLevel: 'warn', role: 'api' }, sink);
    logger.info('dropped');
    logger.warn('kept');
    expect(chunks.join('')).not.toContain('dropped');
    expect(chunks.join('')).toContain('kept');
  });
});

describe('redactUrl', () => {
  it('masks credential-like query values and keeps the rest', () => {
    expect(redactUrl('/posts?token=abc&limit=5')).toBe(`/posts?token=${REDACTED}&limit=5`);
    expect(redactUrl('/x?access_token=abc&API_KEY=1&password=p&tag=a')).toBe(
      `/x?access_token=${REDACTED}&API_KEY=${REDACTED}&password=${REDACTED}&tag=a`,
    );
    expect(redactUrl('/authors/abc')).toBe('/authors/abc');
    expect(redactUrl(undefined)).toBeUndefined();
  });
});

describe('redactQuery', () => {
  it('masks credential-like values of a parsed query', () => {
    expect(redactQuery({ token: 'abc', limit: '5', client_secret: 'x' })).toEqual({
      token: REDACTED,
      limit: '5',
      client_secret: REDACTED,
    });
    expect(redactQuery(undefined)).toBeUndefined();
  });
});
