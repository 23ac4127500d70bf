import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
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

const REPO = join(__dirname, '..');

/**
 * `npm run dev`'s entry point (built by pretest), in an empty folder with no configuration but ports. In its
 * own process group (`detached`), so a test can signal the group as a terminal's Ctrl-C does. `viaNpm` runs
 * the real `npm run dev` (without its build step, already done) with the data folder in `cwd`.
 */
function startDev(cwd: string, port: number, s3Port: number, viaNpm = false): DevProcess {
  const env = { PATH: process.env.PATH, PORT: String(port), DEV_S3_PORT: String(s3Port), DEPLOY_DEBOUNCE_MS: '200', NO_COLOR: '1', DEV_DATA_DIR: join(cwd, '.data') };
  const [command, args] = viaNpm ? ['npm', ['run', 'dev', '--ignore-scripts', '--prefix', REPO]] : [process.execPath, ['--openssl-legacy-provider', DEV_MAIN]];
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
    // SIGTERM, not SIGKILL: the runner then stops its redis-server too (it runs in its own process group).
    if (dev && dev.child.exitCode === null) {
      dev.child.kill('SIGTERM');
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

  it('stops on Ctrl-C (SIGINT to its process group) well within 2 s: the app first, then its Redis, with no warning', async () => {
    const running = dev!; // still running from the first test
    const before = running.output().length;
    const started = Date.now();
    process.kill(-running.child.pid!, 'SIGINT');
    expect(await running.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    const shutdownLog = running.output().slice(before);
    expect(shutdownLog).toContain('shutdown complete');
    expect(shutdownLog).not.toMatch(/WARN|ERROR|ECONNREFUSED|still running/);
    expect(await portOpen(redisPort)).toBe(false);
    expect(await portOpen(s3Port)).toBe(false);
  });

  it('a taken port ends the start in one line naming the port and the variable that moves it, starting nothing', async () => {
    const blocker = createServer().listen(s3Port);
    await once(blocker, 'listening');
    try {
      const second = startDev(cwd, port, s3Port);
      expect(await second.exited).toBe(1);
      expect(second.output().trim()).toBe(`npm run dev: port ${s3Port} (the embedded S3 server) is taken, perhaps by another \`npm run dev\`: stop it, or set DEV_S3_PORT to a free port`);
    } finally {
      blocker.close();
    }
    dev = await boot();
    const third = startDev(cwd, port, await freePort());
    expect(await third.exited).toBe(1);
    expect(third.output()).toContain(`port ${port} (the API) is taken`);
    expect(third.output()).toContain('set PORT to a free port');
    dev.child.kill('SIGTERM');
    expect(await dev.exited).toBe(0);
  });

  it('SIGTERM to npm (what a process manager sends) stops node and its Redis', async () => {
    dev = startDev(cwd, port, s3Port, true);
    await waitFor('npm run dev to be ready', async () => {
      if (dev!.child.exitCode !== null) throw new Error(`it exited: ${dev!.output()}`);
      return (await api('/health/ready')).ok;
    }, 30_000, 100);
    redisPort = Number(/embedded Redis redis:\/\/127\.0\.0\.1:(\d+)/.exec(dev.output())?.[1]);
    dev.child.kill('SIGTERM'); // npm's own pid, not its group
    await dev.exited;
    await waitFor('the API port to close', async () => !(await portOpen(port)));
    await waitFor('its redis-server to be gone', async () => !(await portOpen(redisPort)));
    expect(dev.output()).toContain('shutdown complete');
  });

  it('stops on SIGTERM with its Redis, and keeps the content under .data/ for the next start', async () => {
    dev = await boot();
    redisPort = Number(/embedded Redis redis:\/\/127\.0\.0\.1:(\d+)/.exec(dev.output())?.[1]);
    dev.child.kill('SIGTERM');
    expect(await dev.exited).toBe(0);
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
