import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../src/dev/free-port';
import { EMBEDDED_S3_CREDENTIALS } from '../../src/dev/embedded-s3';
import { waitFor } from './wait-for';

/** The production entry point, built by `npm test`'s pretest (`nest build`). */
export const BUILT_MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

export interface ExitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  // Only what a deployment would set: nothing of the test runner's environment leaks in (a .env is not read
  // either, as the child runs in a folder without one).
  return { PATH: process.env.PATH, NODE_OPTIONS: '--openssl-legacy-provider', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env };
}

function assertBuilt(): void {
  if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run \`npx nest build\` (npm test does it first)`);
}

/** Runs `node dist/main.js` with `env` and resolves when it exits (for start-up failures). */
export function runBuiltApp(env: Record<string, string | undefined>, cwd: string, timeoutMs = 20_000): Promise<ExitResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_MAIN], { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node dist/main.js did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A second instance of the service in its own process (the built app), for cross-process checks. */
export class SpawnedApp {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string | undefined>): Promise<SpawnedApp> {
    assertBuilt();
    const port = await freePort();
    const child = spawn(process.execPath, [BUILT_MAIN], {
      env: childEnv({ ...env, PORT: String(port), AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey }),
      stdio: 'ignore',
    });
    const app = new SpawnedApp(child, `http://127.0.0.1:${port}`);
    try {
      await waitFor('the spawned service to be ready', async () => {
        if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
        return (await fetch(`${app.url}/health/ready`)).ok;
      });
    } catch (error) {
      await app.stop();
      throw error;
    }
    return app;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}
