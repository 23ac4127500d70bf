import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

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
