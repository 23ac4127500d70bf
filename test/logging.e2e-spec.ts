import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../src/config/load-config';
import { freePort } from '../src/dev/free-port';
import { S3StorageService } from '../src/storage/s3-storage.service';
import { TestStack } from './support/stack';
import { waitFor } from './support/wait-for';

const API_TOKEN = 'api-token-7f3a9c1e5b2d4f60';
const GITHUB_TOKEN = 'ghp_logtestSecretToken0123456789abcdef';
const DASHBOARD_PASSWORD = 'dashboard-pw-5e8b2c7a';
const SECRETS = [API_TOKEN, GITHUB_TOKEN, DASHBOARD_PASSWORD];

type LogLine = Record<string, unknown> & { requestId?: string; msg?: string; req?: { method?: string; url?: string; query?: unknown }; res?: { statusCode?: number } };

/** A stand-in for api.github.com that grants push access, so the production start check passes. */
async function fakeGithub(): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && /^\/repos\/acme\/blog\/?$/.test(req.url ?? '')) {
      res.end(JSON.stringify({ full_name: 'acme/blog', permissions: { admin: false, push: true, pull: true } }));
      return;
    }
    res.statusCode = req.method === 'POST' ? 204 : 404;
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/**
 * The built service (`node dist/main.js`, as `npm start` runs it) in production mode, with its stdout
 * and stderr captured: what a log shipper would receive.
 */
describe('logs of the production server', () => {
  let stack: TestStack;
  let github: Server;
  let child: ChildProcess;
  let url: string;
  let stdout = '';
  let stderr = '';

  const lines = (): LogLine[] =>
    stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    stack = await TestStack.start();
    github = await fakeGithub();
    const port = await freePort();
    const env = stack.env({
      NODE_ENV: 'production',
      PORT: String(port),
      LOG_LEVEL: 'debug',
      API_TOKENS: API_TOKEN,
      GITHUB_TOKEN,
      GITHUB_REPOSITORY: 'acme/blog',
      GITHUB_API_URL: `http://127.0.0.1:${(github.address() as AddressInfo).port}`,
      DASHBOARD_USERNAME: 'ops',
      DASHBOARD_PASSWORD,
    });
    const storage = new S3StorageService(loadConfig(env));
    await storage.createBucketIfMissing();
    storage.onApplicationShutdown();

    child = spawn(process.execPath, ['--openssl-legacy-provider', join(__dirname, '..', 'dist', 'main.js')], {
      env: { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf-8')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf-8')));
    url = `http://127.0.0.1:${port}`;
    await waitFor(`the server on ${url} (stderr: ${stderr})`, async () => (await fetch(`${url}/health`)).ok, 30_000, 100);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await new Promise((resolve) => github?.close(resolve));
    await stack?.stop();
  });

  it('writes one JSON line per request with its request id, and never the bearer token', async () => {
    const response = await request(url).get('/authors?limit=5').set('Authorization', `Bearer ${API_TOKEN}`).expect(200);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const line = await waitFor('the request line', () => lines().find((l) => l.requestId === id && l.res !== undefined));
    expect(line).toMatchObject({ level: 'info', requestId: id, req: { method: 'GET', url: '/authors?limit=5' }, res: { statusCode: 200 } });
    expect(lines().filter((l) => l.requestId === id && l.res !== undefined)).toHaveLength(1);
    expect(JSON.stringify(line)).toContain('[redacted]');
  });

  it('keeps an incoming x-request-id and echoes it back', async () => {
    const response = await request(url).get('/posts').set('Authorization', `Bearer ${API_TOKEN}`).set('X-Request-Id', 'edge-42.abc').expect(200);
    expect(response.headers['x-request-id']).toBe('edge-42.abc');
    await waitFor('the line of the traced request', () => lines().find((l) => l.requestId === 'edge-42.abc'));
  });

  it('logs and ids a request the body parser rejects, and a refused one', async () => {
    const malformed = await request(url).post('/authors').set('Authorization', `Bearer ${API_TOKEN}`).set('Content-Type', 'application/json').send('{"name":').expect(400);
    const refused = await request(url).get('/authors').set('Authorization', 'Bearer wrong-token').expect(401);
    for (const response of [malformed, refused]) {
      const id = response.headers['x-request-id'];
      await waitFor(`the line of ${response.status}`, () => lines().find((l) => l.requestId === id && l.res?.statusCode === response.status));
    }
  });

  it('masks credential-like query values in the logged URL', async () => {
    const response = await request(url).get(`/authors?access_token=${API_TOKEN}`).set('Authorization', `Bearer ${API_TOKEN}`);
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
      expect(stdout).not.toContain(secret);
      expect(stderr).not.toContain(secret);
    }
  });
});
