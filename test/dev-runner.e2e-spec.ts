import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
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

const redisPortOf = (output: string): number => Number(/embedded Redis redis:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);

/** `npm run dev` runs the whole service with no configuration, data surviving restarts under .data/. */
describe('npm run dev', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'blog-dev-'));
  let dev: ServiceProcess | undefined;
  let port: number;
  let s3Port: number;
  let redisPort: number;
  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);
  const env = () => ({ DEV_S3_PORT: String(s3Port), DEPLOY_DEBOUNCE_MS: '200', NO_COLOR: '1' });

  beforeAll(async () => {
    [port, s3Port] = [await freePort(), await freePort()];
  });

  afterAll(async () => {
    // SIGTERM, not SIGKILL: the runner then stops its redis-server too (it runs in its own process group).
    await dev?.terminate();
    rmSync(cwd, { recursive: true, force: true });
  });

  /** `npm run dev`'s entry point (built by pretest) in an empty folder, with no configuration but ports. */
  const boot = (): Promise<ServiceProcess> =>
    ServiceProcess.start('dev', env(), { entry: 'dev', cwd, port, timeoutMs: 30_000, processGroup: true });

  it('starts embedded Redis and S3, prints its URLs, and deploys in dry run', async () => {
    dev = await boot();
    redisPort = redisPortOf(dev.output());
    expect(await portOpen(redisPort)).toBe(true);
    expect(dev.output()).toContain(
      `API http://localhost:${port}  docs http://localhost:${port}/docs  dashboard http://localhost:${port}/admin/queues`,
    );
    expect((await api('/docs-json')).status).toBe(200);
    expect((await api('/admin/queues')).status).toBe(200);

    const created = await api('/authors', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Dev Person' }),
    });
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
    const before = running.logs.length;
    const started = Date.now();
    expect((await running.signalGroup('SIGINT')).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    const shutdownLog = running.logs.slice(before).map((line) => line.text);
    expect(shutdownLog.join('\n')).toContain('shutdown complete');
    expect(shutdownLog.filter((line) => /WARN|ERROR|ECONNREFUSED|still running/.test(line))).toEqual([]);
    expect(await portOpen(redisPort)).toBe(false);
    expect(await portOpen(s3Port)).toBe(false);
  });

  it('a taken port ends the start in one line naming the port and the variable that moves it, starting nothing', async () => {
    const blocker = createServer().listen(s3Port);
    await once(blocker, 'listening');
    try {
      const second = await ServiceProcess.run({ ...env(), PORT: String(port) }, { entry: 'dev', cwd });
      expect(second.code).toBe(1);
      expect(second.stderr.trim()).toBe(
        `npm run dev: port ${s3Port} (the embedded S3 server) is taken, perhaps by another \`npm run dev\`: stop it, or set DEV_S3_PORT to a free port`,
      );
    } finally {
      blocker.close();
    }
    dev = await boot();
    const third = await ServiceProcess.run(
      { ...env(), PORT: String(port), DEV_S3_PORT: String(await freePort()) },
      { entry: 'dev', cwd },
    );
    expect(third.code).toBe(1);
    expect(third.stderr.trim()).toBe(
      `npm run dev: port ${port} (the API) is taken, perhaps by another \`npm run dev\`: stop it, or set PORT to a free port`,
    );
    expect((await dev.kill('SIGTERM')).code).toBe(0);
  });

  it('SIGTERM to npm (what a process manager sends) stops node and its Redis', async () => {
    // The real `npm run dev` (its build step skipped: pretest built dist/), data kept in the test's folder.
    const npm = spawn('npm', ['run', 'dev', '--ignore-scripts', '--prefix', join(__dirname, '..')], {
      cwd,
      env: { PATH: process.env.PATH, ...env(), PORT: String(port), DEV_DATA_DIR: join(cwd, '.data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const npmExited = once(npm, 'exit');
    try {
      await waitFor(
        'npm run dev to be ready',
        async () => npm.exitCode === null && (await api('/health/ready')).ok,
        30_000,
        100,
      );
      redisPort = redisPortOf(output);
      npm.kill('SIGTERM'); // npm's own pid only: npm passes it on
      await npmExited;
      await waitFor('the API port to close', async () => !(await portOpen(port)));
      await waitFor('its redis-server to be gone', async () => !(await portOpen(redisPort)));
      expect(output).toContain('shutdown complete');
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
    }
  });

  it('stops on SIGTERM with its Redis, and keeps the content under .data/ for the next start', async () => {
    dev = await boot();
    redisPort = redisPortOf(dev.output());
    expect((await dev.kill('SIGTERM')).code).toBe(0);
    await waitFor('the embedded S3 port to close', async () => !(await portOpen(s3Port)));
    await waitFor('its redis-server to be gone', async () => !(await portOpen(redisPort)));

    dev = await boot();
    const author = await api('/authors/dev-person');
    expect(author.status).toBe(200);
    expect(((await author.json()) as { name: string }).name).toBe('Dev Person');
    expect((await dev.kill('SIGTERM')).code).toBe(0);
  });
});
