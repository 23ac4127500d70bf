import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm run dev:watch`: `npm run dev` that restarts on change. The TypeScript compiler recompiles src/ into dist/
 * on every save, and Node's own watch mode restarts the dev runner when a file it loaded changes. Node stops the old
 * process with SIGTERM and waits for it, so each restart shuts the app down before its Redis, as Ctrl-C does.
 * (`nest start --watch` would kill the whole process tree at once, Redis with the app.)
 */
const root = join(__dirname, '..', '..');
const children: ChildProcess[] = [
  // tsc itself rather than `nest build --watch`, which empties dist/ first, under the runner's feet.
  spawn(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'],
    { cwd: root, stdio: 'inherit' },
  ),
  spawn(
    process.execPath,
    ['--watch', '--openssl-legacy-provider', '--enable-source-maps', join(__dirname, 'main.js')],
    { cwd: process.cwd(), stdio: 'inherit' },
  ),
];

// SIGTERM from npm (a process manager stopping it) or Ctrl-C: pass it on once and leave when both are done.
let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
let running = children.length;
for (const child of children) {
  child.once('exit', () => {
    if (--running === 0) process.exit(0);
    stop('SIGTERM');
  });
}
