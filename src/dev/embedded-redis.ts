import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port';

export interface EmbeddedRedisOptions {
  /** Keep data in this folder (append-only file); without it Redis keeps nothing on disk. */
  dir?: string;
  port?: number;
  /**
   * Run redis-server in its own process group, out of reach of the terminal's Ctrl-C: the dev runner stops
   * it itself, after the app, so the app never sees its Redis vanish while it shuts down.
   */
  ownProcessGroup?: boolean;
  /** More redis-server arguments (a test plays a read-only replica with `--replicaof 127.0.0.1 1`). */
  args?: string[];
}

function redisBinary(): string {
  const candidates = [
    process.env.REDIS_SERVER_BIN,
    'redis-server',
    '/usr/bin/redis-server',
    '/usr/local/bin/redis-server',
  ];
  for (const candidate of candidates) {
    if (candidate && spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  throw new Error(
    'redis-server was not found: install it (apt-get install redis-server) or set REDIS_URL to a running Redis',
  );
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * A private redis-server child process on a free port: `npm run dev` runs on one, and so does every test
 * that needs Redis, so a test can stop and restart it (same port) to play an outage.
 */
export class EmbeddedRedis {
  private child: ChildProcess | null = null;
  private constructor(
    readonly port: number,
    private readonly options: EmbeddedRedisOptions,
  ) {}

  static async start(options: EmbeddedRedisOptions = {}): Promise<EmbeddedRedis> {
    const redis = new EmbeddedRedis(options.port ?? (await freePort()), options);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The running server's process id (the benchmark reads its CPU time); undefined while stopped. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--loglevel', 'warning'];
    if (this.options.dir) {
      mkdirSync(this.options.dir, { recursive: true });
      args.push('--dir', this.options.dir, '--appendonly', 'yes', '--appendfsync', 'everysec');
    } else {
      args.push('--appendonly', 'no');
    }
    args.push(...(this.options.args ?? []));
    const child = spawn(redisBinary(), args, { stdio: 'ignore', detached: this.options.ownProcessGroup === true });
    this.child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}`))),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port))) {
      if (child.exitCode !== null) await exited;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${this.port}`);
      await sleep(20);
    }
  }

  /** Stops the server: SIGKILL plays a crash (nothing saved), SIGTERM a clean shutdown. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Kill without waiting, for process-exit handlers. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }
}
