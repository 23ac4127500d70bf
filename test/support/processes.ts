import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EMBEDDED_S3_CREDENTIALS } from '../../src/dev/embedded-s3';
import { freePort } from '../../src/dev/free-port';
import { waitFor } from './wait-for';
import { BUILT_MAIN } from './spawned-app';

/** The production entry point, built by `npm test`'s pretest (`nest build`). */

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

export type StartWait = 'ready' | 'live' | 'none';

/**
 * One instance of the built service (`node --openssl-legacy-provider dist/main.js`) in its own process,
 * the way it runs in production: configured only by `env`, killed with real signals. Every line it
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
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
    this.capture(child.stdout!, 'stdout');
    this.capture(child.stderr!, 'stderr');
  }

  /** Spawns the service on a free port and waits until /health/ready (or /health) answers 200. */
  static async start(name: string, env: Record<string, string | undefined>, wait: StartWait = 'ready', timeoutMs = 20_000): Promise<ServiceProcess> {
    if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run \`npx nest build\` (npm test does it first)`);
    const port = await freePort();
    const child = spawn(process.execPath, ['--openssl-legacy-provider', BUILT_MAIN], {
      cwd: join(__dirname, '..'), // no .env there: the environment below is all the service sees
      env: {
        PATH: process.env.PATH,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(name, child, `http://127.0.0.1:${port}`, Date.now());
    running.add(service);
    if (wait === 'none') return service;
    try {
      await waitFor(
        `${name} to answer /health${wait === 'ready' ? '/ready' : ''}`,
        async () => {
          if (service.exit) throw new Error(`it exited (${JSON.stringify(service.exit)}): ${service.logText().slice(-2_000)}`);
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
    return waitFor(`${this.name} to log ${pattern}`, () => this.logs.find((line) => pattern.test(line.json?.msg ?? line.text)), timeoutMs);
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
    if (process.env.RESILIENCE_LOGS) process.stdout.write(`[${this.name}] ${json ? `${json.level} ${json.context ?? ''} ${json.msg}` : text}\n`);
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
