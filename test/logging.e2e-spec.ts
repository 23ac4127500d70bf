import request from 'supertest';
import { FakeGithub } from './support/fake-github';
import { ServiceProcess } from './support/processes';
import { TestStack } from './support/stack';
import { waitFor } from './support/wait-for';
import { DirectS3 } from './support/direct-s3';

const API_TOKEN = 'api-token-7f3a9c1e5b2d4f60';
const GITHUB_TOKEN = 'ghp_logtestSecretToken0123456789abcdef';
const DASHBOARD_PASSWORD = 'dashboard-pw-5e8b2c7a';
const SECRETS = [API_TOKEN, GITHUB_TOKEN, DASHBOARD_PASSWORD];

type LogLine = Record<string, unknown> & {
  requestId?: string;
  msg?: string;
  req?: { method?: string; url?: string; query?: unknown };
  res?: { statusCode?: number };
};

/**
 * The built service (`node dist/main.js`, as `npm start` runs it) in production mode, with its stdout
 * and stderr captured: what a log shipper would receive.
 */
describe('logs of the production server', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let service: ServiceProcess;
  let url: string;
  const stdout = () => service.output('stdout');
  const stderr = () => service.output('stderr');

  const lines = (): LogLine[] =>
    stdout()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    const env = stack.env({
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      API_TOKENS: API_TOKEN,
      GITHUB_TOKEN,
      GITHUB_REPOSITORY: 'acme/blog',
      GITHUB_API_URL: github.url,
      DASHBOARD_USERNAME: 'ops',
      DASHBOARD_PASSWORD,
    });
    const bucket = new DirectS3(stack.s3, env.S3_BUCKET!);
    await bucket.createBucket();
    bucket.close();
    service = await ServiceProcess.start('logging', env, { wait: 'live', timeoutMs: 30_000 });
    url = service.url;
  });

  afterAll(async () => {
    await service?.terminate();
    await github?.close();
    await stack?.stop();
  });

  it('writes one JSON line per request with its request id, and never the bearer token', async () => {
    const response = await request(url).get('/authors?limit=5').set('Authorization', `Bearer ${API_TOKEN}`).expect(200);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const line = await waitFor('the request line', () =>
      lines().find((l) => l.requestId === id && l.res !== undefined),
    );
    expect(line).toMatchObject({
      level: 'info',
      requestId: id,
      req: { method: 'GET', url: '/authors?limit=5' },
      res: { statusCode: 200 },
    });
    expect(lines().filter((l) => l.requestId === id && l.res !== undefined)).toHaveLength(1);
    expect(JSON.stringify(line)).toContain('[redacted]');
  });

  it('keeps an incoming x-request-id and echoes it back', async () => {
    const response = await request(url)
      .get('/posts')
      .set('Authorization', `Bearer ${API_TOKEN}`)
      .set('X-Request-Id', 'edge-42.abc')
      .expect(200);
    expect(response.headers['x-request-id']).toBe('edge-42.abc');
    await waitFor('the line of the traced request', () => lines().find((l) => l.requestId === 'edge-42.abc'));
  });

  it('logs and ids a request the body parser rejects, and a refused one', async () => {
    const malformed = await request(url)
      .post('/authors')
      .set('Authorization', `Bearer ${API_TOKEN}`)
      .set('Content-Type', 'application/json')
      .send('{"name":')
      .expect(400);
    const refused = await request(url).get('/authors').set('Authorization', 'Bearer wrong-token').expect(401);
    for (const response of [malformed, refused]) {
      const id = response.headers['x-request-id'];
      await waitFor(`the line of ${response.status}`, () =>
        lines().find((l) => l.requestId === id && l.res?.statusCode === response.status),
      );
    }
  });

  it('masks credential-like query values in the logged URL', async () => {
    const response = await request(url)
      .get(`/authors?access_token=${API_TOKEN}`)
      .set('Authorization', `Bearer ${API_TOKEN}`);
    const id = response.headers['x-request-id'];
    const line = await waitFor('the line', () => lines().find((l) => l.requestId === id && l.res !== undefined));
    expect(line.req?.url).toBe('/authors?access_token=[redacted]');
    expect(line.req?.query).toEqual({ access_token: '[redacted]' });
  });

  it('prints only JSON lines, and no secret anywhere in stdout or stderr', async () => {
    await request(url).get('/admin/queues/api/queues').auth('ops', DASHBOARD_PASSWORD);
    await waitFor('the dashboard request line', () => lines().some((l) => l.req?.url === '/admin/queues/api/queues'));
    expect(lines().length).toBeGreaterThan(3);
    expect(lines().find((l) => typeof l.msg === 'string' && l.msg.includes('/docs'))).toBeDefined();
    for (const secret of SECRETS) {
      expect(stdout()).not.toContain(secret);
      expect(stderr()).not.toContain(secret);
    }
  });
});
