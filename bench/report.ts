import { cpus, loadavg, totalmem } from 'node:os';
import type { BurstResult } from './scenarios/burst';
import type { LargeListingResult } from './scenarios/large-listing';
import type { ReadResult } from './scenarios/reads';
import type { WriteResult } from './scenarios/writes';
import { LatencySummary, round } from './lib/stats';

export interface BenchResults {
  raw: WriteResult;
  /** HeadObject + PutObject from the bench process: the two requests of a create where S3 ignores conditional writes. */
  rawChecked: WriteResult;
  deploysOff: WriteResult;
  deploysOn: WriteResult;
  /** Deploys on, two instances on one bucket and one Redis, taking requests in turn: the service on both cores. */
  twoInstances: WriteResult;
  /** Raw PutObject and POST /posts (deploys on) against moto, which enforces conditional writes. */
  rawMoto: WriteResult;
  moto: WriteResult;
  /** What each service learned at start: does its S3 server enforce If-Match / If-None-Match (null: no answer logged)? */
  conditionalWrites: { default: boolean | null; moto: boolean | null };
  /** PING from the benchmark process: the floor under the deploy trigger. */
  redisRoundTripMs: LatencySummary;
  burst: BurstResult;
  /** ListObjectsV2 of all content, which the deploy worker does between the quiet window's end and the dispatch. */
  contentListingMs: LatencySummary;
  reads: ReadResult;
  peakRssMb: { deploysOn: number; deploysOff: number; moto: number };
  /** Highest VmRSS sampled in each phase of the deploys-on run (MB). */
  rssByPhaseMb: { started: number; writes: number; burst: number; reads: number };
  large: LargeListingResult;
}

export interface Row {
  measure: string;
  value: string;
  target: string;
  /** null when the row has no target. */
  met: boolean | null;
}

/** The load average is recorded because other work on the machine skews every figure. */
export function machine() {
  const cores = cpus();
  return {
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memoryGb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage1mAtStart: round(loadavg()[0]),
  };
}

/**
 * What the machine's cores could serve if they did nothing but creates, each costing the CPU its processes
 * measured (service, S3 server, Redis, bench; not the kernel's share), however the work were spread over them.
 */
function coresCeilingPerSecond(w: WriteResult, cores: number): number {
  const by = w.concurrent.stackCpuMsPerWrite;
  const perCreateMs = (w.concurrent.cpuMsPerWrite ?? 0) + by.s3Server + by.redis + by.bench;
  return (cores * 1000) / perCreateMs;
}

/** The derived figures the targets are about. */
export function ratios(r: BenchResults) {
  const cores = cpus().length;
  const ceiling = coresCeilingPerSecond(r.deploysOn, cores);
  return {
    cores,
    coresCeilingPerSecond: round(ceiling, 1),
    coresCeilingVsRaw: round(ceiling / r.raw.concurrent.throughput),
    apiVsRawThroughput: round(r.deploysOn.concurrent.throughput / r.raw.concurrent.throughput),
    twoInstancesVsRawThroughput: round(r.twoInstances.concurrent.throughput / r.raw.concurrent.throughput),
    checkedVsRawThroughput: round(r.rawChecked.concurrent.throughput / r.raw.concurrent.throughput),
    apiVsCheckedThroughput: round(r.deploysOn.concurrent.throughput / r.rawChecked.concurrent.throughput),
    motoApiVsRawThroughput: round(r.moto.concurrent.throughput / r.rawMoto.concurrent.throughput),
    deploysOnVsOffThroughput: round(r.deploysOn.concurrent.throughput / r.deploysOff.concurrent.throughput),
    deployTriggerP50Ms: round(r.deploysOn.sequential.p50 - r.deploysOff.sequential.p50),
  };
}

/** A Markdown table: readable in a terminal and pasted as is into the README. */
export function table(all: Row[]): string {
  const mark = (met: boolean | null): string => (met === null ? '' : met ? 'yes' : '**no**');
  const lines = ['| measure | result | target | met |', '| --- | --- | --- | --- |'];
  for (const row of all) lines.push(`| ${row.measure} | ${row.value} | ${row.target} | ${mark(row.met)} |`);
  return lines.join('\n');
}
