import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a sample's code lives: a package, Node itself, our own build, or V8 bookkeeping. */
function owner(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/dist\/(?:bench\/)?(.+)$/.exec(url);
  return own ? `app: ${own[1].split('/').slice(0, -1).join('/') || own[1]}` : url;
}

function top(map: Map<string, number>, total: number, count: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `| ${name} | ${(us / 1000).toFixed(0)} ms | ${((us / total) * 100).toFixed(1)}% |`);
}

/** Self time by owner and by function, as percentages of the busy (non-idle) time, for one .cpuprofile. */
export function summarizeProfile(file: string, title: string): string {
  const profile = JSON.parse(readFileSync(file, 'utf-8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const us = profile.timeDeltas[i] ?? 0;
    if (frame.functionName === '(idle)') return;
    busy += us;
    const who = owner(frame.url, frame.functionName);
    owners.set(who, (owners.get(who) ?? 0) + us);
    const where = frame.url === '' ? '' : ` (${who}:${frame.lineNumber + 1})`;
    const fn = `${frame.functionName || '(anonymous)'}${where}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  });
  return [
    `### ${title}: ${(busy / 1000).toFixed(0)} ms busy`,
    '',
    '| self time by owner | ms | share |',
    '| --- | --- | --- |',
    ...top(owners, busy, 12),
    '',
    '| self time by function | ms | share |',
    '| --- | --- | --- |',
    ...top(functions, busy, 15),
  ].join('\n');
}

/** Every profile written under `workDir/profile-*` (one folder per process). */
export function summarizeProfiles(workDir: string): string {
  const parts = ['## CPU profiles (node --cpu-prof), self time while busy'];
  for (const folder of readdirSync(workDir)
    .filter((name) => name.startsWith('profile-'))
    .sort()) {
    const dir = join(workDir, folder);
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
      parts.push('', summarizeProfile(join(dir, file), folder.replace(/^profile-/, '')));
    }
  }
  return parts.join('\n');
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir || !existsSync(dir)) throw new Error('usage: node profile-summary.js <folder with profile-*/ subfolders>');
  process.stdout.write(`${summarizeProfiles(dir)}\n`);
}
