import { readFileSync } from 'node:fs';

/** USER_HZ, the unit of /proc CPU times: 100 on Linux x86-64 and arm64 (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100;
const MS_PER_TICK = 1000 / CLOCK_TICKS_PER_SECOND;

/** User + system CPU time process `pid` has used so far, in ms (/proc/<pid>/stat). */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf-8').split(') ')[1].split(' ');
  // After the command name: utime and stime are the 12th and 13th fields.
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

/**
 * CPU time every core has spent busy so far, in ms (/proc/stat: user, nice, system, irq, softirq and steal;
 * not idle or iowait). It counts what no process is charged with, such as the kernel's loopback networking.
 */
export function machineBusyCpuMs(): number {
  const line = readFileSync('/proc/stat', 'utf-8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + (steal ?? 0)) * MS_PER_TICK;
}

/** Named CPU counters (ms so far), read before and after each slice: their difference is what the slice cost. */
export type CpuCounters = () => Record<string, number>;

/** The bench process's own CPU time (user + system), in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
