import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../src/dev/free-port';
import { processCpuMs } from './cpu';

const REPO = join(__dirname, '..', '..', '..', '..');
/** The production build (`nest build`), run exactly as `npm start` does. */
export const BUILT_MAIN = join(REPO, 'dist', 'main.js');
const BENCH_DIST = join(__dirname, '..');

/** NODE_OPTIONS as the Dockerfile sets it for the production image: the one place it is defined. */
export function imageNodeOptions(): string {
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf-8');
  const match = /^\s*(?:ENV\s+)?NODE_OPTIONS=(?:"([^"]*)"|(\S+))/m.exec(dockerfile);
  if (!match) throw new Error('the Dockerfile sets no NODE_OPTIONS: the benchmark runs the service as the image does');
  return match[1] ?? match[2];
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The S3-protocol server (bench/s3-server.ts) as a child process with `buckets` created. */
export class S3ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
  ) {}

  static async start(buckets: string[], cpuProfileDir?: string): Promise<S3ServerProcess> {
    // s3rver's ListObjectsV2 continuation tokens need the legacy OpenSSL provider.
    const args = [
      '--openssl-legacy-provider',
      ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : []),
    ];
    const child = spawn(process.execPath, [...args, join(BENCH_DIST, 's3-server.js'), ...buckets], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { endpoint: string }).endpoint);
      });
      child.once('exit', (code) => reject(new Error(`the S3 server exited with code ${code}`)));
    });
    return new S3ServerProcess(child, endpoint);
  }

  /** User + system CPU time the S3 server has used so far, in ms. */
  cpuMs(): number {
    return processCpuMs(this.child.pid!);
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await exited(this.child);
  }

  killNow(): void {
    this.child.kill('SIGKILL');
  }
}

export interface AppProcessOptions {
  env: Record<string, string>;
  /** Where the service's stdout/stderr (JSON log lines) go. */
  logFile: string;
  /** Leave ContentEvents without subscribers (bench/deploys-off.ts). */
  deploysOff?: boolean;
  /** Write a V8 CPU profile (node --cpu-prof) into this folder when the process ends. */
  cpuProfileDir?: string;
  /** Where bench/heap-report.ts writes the live heap when asked (liveHeapMb). */
  heapFile: string;
}

/** `node dist/main.js` as a child process, so its memory is measured on its own. */
export class AppProcess {
  /** Highest VmRSS seen since the last phasePeakRssMb() call, sampled every 50 ms. */
  private phasePeakKb = 0;
  private sampler?: NodeJS.Timeout;
  private stopped = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly logFd: number,
    private readonly heapFile: string,
  ) {}

  static async start(options: AppProcessOptions): Promise<AppProcess> {
    const port = await freePort();
    const args = ['--openssl-legacy-provider', '--expose-gc', '-r', join(BENCH_DIST, 'heap-report.js')];
    if (options.deploysOff) args.push('-r', join(BENCH_DIST, 'deploys-off.js'));
    if (options.cpuProfileDir)
      args.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, '-r', join(BENCH_DIST, 'profile-exit.js'));
    args.push(BUILT_MAIN);
    const logFd = openSync(options.logFile, 'a');
    // The service runs with the image's NODE_OPTIONS (its heap limit); BENCH_NODE_OPTIONS tries others.
    const nodeOptions = { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? imageNodeOptions() };
    const env = {
      PATH: process.env.PATH,
      ...nodeOptions,
      ...options.env,
      PORT: String(port),
      BENCH_HEAP_FILE: options.heapFile,
    };
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', logFd, logFd] });
    const app = new AppProcess(child, `http://127.0.0.1:${port}`, logFd, options.heapFile);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`the service exited with code ${child.exitCode} at start: see ${options.logFile}`);
      const ready = await fetch(`${app.url}/health/ready`).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) {
        app.sampler = setInterval(() => app.sample(), 50);
        return app;
      }
      if (Date.now() > deadline) {
        await app.stop();
        throw new Error(`the service was not ready within 30 s: see ${options.logFile}`);
      }
      await sleep(100);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Peak resident set size so far (VmHWM), in MiB. */
  peakRssMb(): number {
    return this.statusKb('VmHWM') / 1024;
  }

  private sample(): void {
    try {
      this.phasePeakKb = Math.max(this.phasePeakKb, this.statusKb('VmRSS'));
    } catch {
      // the process is ending
    }
  }

  /** User + system CPU time the process has used so far, in ms. */
  cpuMs(): number {
    return processCpuMs(this.pid);
  }

  /** Resident set size now, in MiB. */
  currentRssMb(): number {
    return this.statusKb('VmRSS') / 1024;
  }

  /** The highest resident set size sampled since the previous call: which phase drives the peak. */
  phasePeakRssMb(): number {
    const peak = Math.max(this.phasePeakKb, this.statusKb('VmRSS'));
    this.phasePeakKb = 0;
    return Math.round(peak / 1024);
  }

  /** The live heap after a full garbage collection, in MiB (bench/heap-report.ts answers SIGUSR2). */
  async liveHeapMb(): Promise<number> {
    if (existsSync(this.heapFile)) unlinkSync(this.heapFile);
    this.child.kill('SIGUSR2');
    const deadline = Date.now() + 10_000;
    while (!existsSync(this.heapFile)) {
      if (Date.now() > deadline) throw new Error('the service did not report its heap within 10 s');
      await sleep(20);
    }
    return (JSON.parse(readFileSync(this.heapFile, 'utf-8')) as { heapUsed: number }).heapUsed / 2 ** 20;
  }

  private statusKb(field: string): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf-8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${this.pid}/status has no ${field}`);
    return Number(match[1]);
  }

  /** Idempotent: the log file descriptor is closed once, never a reused number. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.sampler);
    this.child.kill('SIGTERM');
    await exited(this.child);
    closeSync(this.logFd);
  }

  killNow(): void {
    this.child.kill('SIGKILL');
  }
}
