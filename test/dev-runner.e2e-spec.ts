import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/dev/free-port';
import { ServiceProcess } from './support/processes';
import { waitFor } from './support/wait-for';

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** `npm run dev` runs the whole service with no configuration, data surviving restarts under .data/. */
describe('npm run dev', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'blog-dev-'));
  let dev: ServiceProcess | undefined;
  let port: number;
  let s3Port: number;
  let redisPort: number;
  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);

  beforeAll(async () => {
    [port, s3Port] = [await freePort(), await freePort()];
  });

  afterAll(async () => {
    await dev?.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  /** `npm run dev`'s entry point (built by pretest) in an empty folder, with no configuration but ports. */
  const boot = (): Promise<ServiceProcess> =>
    ServiceProcess.start('dev', { DEV_S3_PORT: String(s3Port), DEPLOY_DEBOUNCE_MS: '200', NO_COLOR: '1' }, { entry: 'dev', cwd, port, timeoutMs: 30_000 });

  it('starts embedded Redis and S3, prints its URLs, and deploys in dry run', async () => {
    dev = await boot();
    redisPort = Number(/embedded Redis redis:\/\/127\.0\.0\.1:(\d+)/.exec(dev.output())?.[1]);
    expect(await portOpen(redisPort)).toBe(true);
    expect(dev.output()).toContain(`API http://localhost:${port}  docs http://localhost:${port}/docs  dashboard http://localhost:${port}/admin/queues`);
    expect((await api('/docs-json')).status).toBe(200);
    expect((await api('/admin/queues')).status).toBe(200);

    const created = await api('/authors', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Dev Person' }) });
    expect(created.status).toBe(201);
    const deploy = await waitFor('a dry-run deploy', async () => {
      const { items } = (await (await api('/deploys')).json()) as { items: { status: string; changeCount: number }[] };
      return items.find((d) => d.status === 'dry-run');
    });
    expect(deploy.changeCount).toBe(1);
    expect(dev.output()).toMatch(/curl .*\/repos\/.*\/dispatches/);
  });

  it('stops on SIGTERM with its Redis, and keeps the content under .data/ for the next start', async () => {
    expect((await dev!.kill('SIGTERM')).code).toBe(0);
    await waitFor('the embedded S3 port to close', async () => !(await portOpen(s3Port)));
    await waitFor('its redis-server to be gone', async () => !(await portOpen(redisPort)));

    dev = await boot();
    const author = await api('/authors/dev-person');
    expect(author.status).toBe(200);
    expect(((await author.json()) as { name: string }).name).toBe('Dev Person');
    expect((await dev.kill('SIGTERM')).code).toBe(0);
  });
});
