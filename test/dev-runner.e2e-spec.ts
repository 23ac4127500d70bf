import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/dev/free-port';
import { waitFor } from './support/wait-for';

const DEV_MAIN = join(__dirname, '..', 'dist', 'dev', 'main.js');

interface DevProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm run dev`'s entry point (built by pretest), in an empty folder with no configuration but ports. */
function startDev(cwd: string, port: number, s3Port: number): DevProcess {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', DEV_MAIN], {
    cwd,
    env: { PATH: process.env.PATH, PORT: String(port), DEV_S3_PORT: String(s3Port), DEPLOY_DEBOUNCE_MS: '200', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** Contract §1: `npm run dev` runs the whole service with no configuration, data surviving restarts under .data/. */
describe('npm run dev', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'blog-dev-'));
  let dev: DevProcess | undefined;
  let port: number;
  let s3Port: number;
  let redisPort: number;
  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);

  beforeAll(async () => {
    [port, s3Port] = [await freePort(), await freePort()];
  });

  afterAll(async () => {
    if (dev && dev.child.exitCode === null) {
      dev.child.kill('SIGKILL');
      await dev.exited;
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  const boot = async (): Promise<DevProcess> => {
    const started = startDev(cwd, port, s3Port);
    await waitFor('the dev service to be ready', async () => {
      if (started.child.exitCode !== null) throw new Error(`it exited: ${started.output()}`);
      return (await api('/health/ready')).ok;
    }, 30_000, 100);
    return started;
  };

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
    dev!.child.kill('SIGTERM');
    expect(await dev!.exited).toBe(0);
    await waitFor('the embedded S3 port to close', async () => !(await portOpen(s3Port)));
    await waitFor('its redis-server to be gone', async () => !(await portOpen(redisPort)));

    dev = await boot();
    const author = await api('/authors/dev-person');
    expect(author.status).toBe(200);
    expect(((await author.json()) as { name: string }).name).toBe('Dev Person');
    dev.child.kill('SIGTERM');
    expect(await dev.exited).toBe(0);
  });
});
