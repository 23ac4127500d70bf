import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../src/dev/free-port';
import { waitFor } from './wait-for';

/** The production entry point and `npm run dev`'s, built by `npm test`'s pretest (`nest build`). */
const ENTRIES = {
  main: join(__dirname, '..', '..', 'dist', 'main.js'),
  dev: join(__dirname, '..', '..', 'dist', 'dev', 'main.js'),
};

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LogLine {
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
  /** The pino record when the line is JSON (NODE_ENV=production logs JSON lines). */
  json?: { msg?: string; level?: string; context?: string; [key: string]: unknown };
}

/** What `start` waits for: `/health/ready` answering 200, `/health` answering 200, or nothing. */
export type StartWait = 'ready' | 'live' | 'none';

export interface StartOptions {
  wait?: StartWait;
  timeoutMs?: number;
  /** `dev` runs `npm run dev`'s entry point (embedded Redis and S3) instead of `node dist/main.js`. */
  entry?: keyof typeof ENTRIES;
  /** Working directory; the default is a folder with no `.env`, so the environment given is all it sees. */
  cwd?: string;
  /** PORT to give it: a free one unless set; `null` leaves PORT to `env` (e.g. a bad value under test). */
  port?: number | null;
  /** Its own process group, so `signalGroup` can play a terminal's Ctrl-C (which reaches the whole group). */
  processGroup?: boolean;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * One instance of the built service (`node --openssl-legacy-provider dist/main.js`) in its own process, the way it
 * runs in production: configured only by `env`, killed with real signals. Every test that spawns the service uses it. Every line it
 * prints is kept (with arrival time), so a test can wait for a log line and show the logs when it fails.
 * `RESILIENCE_LOGS=1` also echoes them to the test's output.
 */
export class ServiceProcess {
  readonly logs: LogLine[] = [];
  readonly exited: Promise<Exit>;
  private exit?: Exit;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly url: string,
    readonly startedAt: number,
  ) {
    this.exited = new Promise((resolve) =>
      // 'close', not 'exit': by then everything it printed has been read.
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
    this.capture(child.stdout!, 'stdout');
    this.capture(child.stderr!, 'stderr');
  }

  /** Spawns the service (on a free port unless told) and waits as `options.wait` says (default: until /health/ready answers 200). */
  static async start(
    name: string,
    env: Record<string, string | undefined>,
    options: StartOptions = {},
  ): Promise<ServiceProcess> {
    const { wait = 'ready', timeoutMs = 60_000, entry = 'main', cwd = join(__dirname, '..') } = options;
    const main = ENTRIES[entry];
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx nest build\` (npm test does it first)`);
    const port = options.port === undefined ? await freePort() : options.port;
    const child = spawn(process.execPath, ['--openssl-legacy-provider', main], {
      cwd,
      // Only what a deployment would set: nothing of the test runner's environment leaks in.
      env: {
        PATH: process.env.PATH,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
        ...(port === null ? {} : { PORT: String(port) }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.processGroup === true,
    });
    const service = new ServiceProcess(name, child, `http://127.0.0.1:${port ?? env.PORT ?? 3000}`, Date.now());
    running.add(service);
    if (wait === 'none') return service;
    try {
      await waitFor(
        `${name} to answer /health${wait === 'ready' ? '/ready' : ''}`,
        async () => {
          if (service.exit)
            throw new Error(`it exited (${JSON.stringify(service.exit)}): ${service.logText().slice(-2_000)}`);
          return (await fetch(`${service.url}/health${wait === 'ready' ? '/ready' : ''}`)).ok;
        },
        timeoutMs,
        50,
      );
    } catch (error) {
      await service.kill('SIGKILL');
      throw error;
    }
    return service;
  }

  /** Runs the service until it exits by itself (a start-up failure, say); SIGKILLed and rejected after `timeoutMs`. */
  static async run(
    env: Record<string, string | undefined>,
    options: Omit<StartOptions, 'wait' | 'port'> = {},
  ): Promise<RunResult> {
    const { timeoutMs = 60_000 } = options;
    const service = await ServiceProcess.start('run', env, { ...options, wait: 'none', port: null });
    const timer = setTimeout(() => void service.kill('SIGKILL'), timeoutMs);
    const { code, signal } = await service.exited;
    clearTimeout(timer);
    if (signal === 'SIGKILL') throw new Error(`it did not exit within ${timeoutMs} ms: ${service.output('stderr')}`);
    return { code, stdout: service.output('stdout'), stderr: service.output('stderr') };
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Sends `signal` and resolves with how the process ended. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill(signal);
    return this.exited;
  }

  /** Sends `signal` to its whole process group (needs `processGroup`), as a terminal does on Ctrl-C. */
  async signalGroup(signal: NodeJS.Signals): Promise<Exit> {
    if (this.exit) return this.exit;
    process.kill(-this.child.pid!, signal);
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs` (so a hung shutdown fails a test, not the run). */
  async terminate(timeoutMs = 30_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Messages of the JSON log lines, in order. */
  messages(): string[] {
    return this.logs.map((line) => line.json?.msg ?? line.text);
  }

  /** Resolves with the first log line matching `pattern` (already printed or still to come). */
  waitForLog(pattern: RegExp, timeoutMs = 15_000): Promise<LogLine> {
    return waitFor(
      `${this.name} to log ${pattern}`,
      () => this.logs.find((line) => pattern.test(line.json?.msg ?? line.text)),
      timeoutMs,
    );
  }

  /** Everything it printed on `stream` (both when not given), line by line. */
  output(stream?: LogLine['stream']): string {
    return this.logs
      .filter((line) => stream === undefined || line.stream === stream)
      .map((line) => `${line.text}\n`)
      .join('');
  }

  logText(): string {
    return this.logs.map((line) => `[${this.name}] ${line.json?.msg ?? line.text}`).join('\n');
  }

  private capture(stream: NodeJS.ReadableStream, name: LogLine['stream']): void {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const text of lines) this.record(name, text);
    });
    stream.on('end', () => partial && this.record(name, partial));
  }

  private record(stream: LogLine['stream'], text: string): void {
    if (text.trim() === '') return;
    let json: LogLine['json'];
    try {
      json = text.startsWith('{') ? (JSON.parse(text) as LogLine['json']) : undefined;
    } catch {
      json = undefined;
    }
    this.logs.push({ at: Date.now(), stream, text, json });
    if (process.env.RESILIENCE_LOGS)
      process.stdout.write(`[${this.name}] ${json ? `${json.level} ${json.context ?? ''} ${json.msg}` : text}\n`);
  }
}

const running = new Set<ServiceProcess>();

/** SIGKILLs every service process still alive (for afterAll): nothing a test started outlives it. */
export async function killAllServices(): Promise<void> {
  await Promise.all([...running].map((service) => service.kill('SIGKILL')));
  running.clear();
}

/** All log lines of the given services, for a failure message. */
export function logsOf(...services: (ServiceProcess | undefined)[]): string {
  return services
    .filter((s): s is ServiceProcess => s !== undefined)
    .map((s) => s.logText())
    .join('\n');
}
