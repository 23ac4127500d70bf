import { LatencySummary } from './lib/stats';
import { BenchResults, Row, ratios } from './report';
import type { WriteResult } from './scenarios/writes';

const ms = (value: number): string => `${value.toFixed(2)} ms`;
const latency = (l: LatencySummary): string => `p50 ${ms(l.p50)} · p99 ${ms(l.p99)}`;
const writes = (w: WriteResult): string => `${w.concurrent.throughput.toFixed(0)}/s · ${latency(w.concurrent)}`;

/** The service's CPU per create, and what one core could serve at that cost. */
const cpu = (w: WriteResult): string => {
  const perWrite = w.concurrent.cpuMsPerWrite;
  return perWrite === undefined ? '?' : `${perWrite.toFixed(2)} ms (one core: ${(1000 / perWrite).toFixed(0)}/s)`;
};

/** Per write, the whole machine's busy CPU and what each process of the stack took of it. */
const stackCpu = (w: WriteResult): string => {
  const by = w.concurrent.stackCpuMsPerWrite;
  const service = w.concurrent.cpuMsPerWrite;
  const parts = [
    ...(service === undefined ? [] : [`service ${service.toFixed(2)}`]),
    `S3 server ${by.s3Server.toFixed(2)}`,
    `Redis ${by.redis.toFixed(2)}`,
    `bench ${by.bench.toFixed(2)}`,
  ];
  return `${by.machine.toFixed(2)} ms (${parts.join(' + ')})`;
};

const detected = (enforced: boolean | null): string =>
  enforced === null ? 'not logged' : enforced ? 'enforced: no lock' : 'ignored: Redis lock';

export function rows(r: BenchResults, { posts, authors }: { posts: number; authors: number }): Row[] {
  const derived = ratios(r);
  const c = r.raw.concurrent.clients;
  const p = r.rssByPhaseMb;
  const l = r.large;
  const listRow = (name: string, l: LatencySummary): Row => ({
    measure: name,
    value: latency(l),
    target: 'p50 ≤ 20 ms',
    met: l.p50 <= 20,
  });
  return [
    { measure: `raw PutObject, ${c} clients`, value: writes(r.raw), target: '', met: null },
    {
      measure: `raw HeadObject + PutObject (a create's two requests there), ${c} clients`,
      value: writes(r.rawChecked),
      target: '',
      met: null,
    },
    { measure: `POST /posts, ${c} clients, deploys off`, value: writes(r.deploysOff), target: '', met: null },
    { measure: `POST /posts, ${c} clients, deploys on`, value: writes(r.deploysOn), target: '', met: null },
    {
      measure: 'API ÷ raw PutObject throughput (conditional writes ignored)',
      value: `${derived.apiVsRawThroughput.toFixed(2)}×`,
      target: '≥ 0.50×',
      met: derived.apiVsRawThroughput >= 0.5,
    },
    {
      measure: 'raw HeadObject + PutObject ÷ raw PutObject · API ÷ raw HeadObject + PutObject',
      value: `${derived.checkedVsRawThroughput.toFixed(2)}× · ${derived.apiVsCheckedThroughput.toFixed(2)}×`,
      target: '',
      met: null,
    },
    {
      measure: `service CPU per create, ${c} clients: default server, deploys off · on · moto`,
      value: `${cpu(r.deploysOff)} · ${cpu(r.deploysOn)} · ${cpu(r.moto)}`,
      target: '',
      met: null,
    },
    {
      measure: `POST /posts, ${c} clients over two instances (deploys on): throughput ÷ raw PutObject · service CPU per create`,
      value: `${writes(r.twoInstances)} · ${derived.twoInstancesVsRawThroughput.toFixed(2)}× · ${ms(r.twoInstances.concurrent.cpuMsPerWrite ?? NaN)}`,
      target: '',
      met: null,
    },
    {
      measure: `machine CPU per write, ${c} clients, default server: raw PutObject · raw HeadObject + PutObject · POST /posts (deploys on)`,
      value: `${stackCpu(r.raw)} · ${stackCpu(r.rawChecked)} · ${stackCpu(r.deploysOn)}`,
      target: '',
      met: null,
    },
    {
      measure: `${derived.cores} cores at a create's CPU (service + S3 server + Redis + bench), deploys on: at most`,
      value: `${derived.coresCeilingPerSecond.toFixed(0)}/s = ${derived.coresCeilingVsRaw.toFixed(2)}× raw PutObject`,
      target: '',
      met: null,
    },
    { measure: `moto: raw PutObject, ${c} clients`, value: writes(r.rawMoto), target: '', met: null },
    { measure: `moto: POST /posts, ${c} clients, deploys on`, value: writes(r.moto), target: '', met: null },
    {
      measure: 'moto: API ÷ raw PutObject throughput (conditional writes enforced)',
      value: `${derived.motoApiVsRawThroughput.toFixed(2)}×`,
      target: '≥ 0.70×',
      met: derived.motoApiVsRawThroughput >= 0.7,
    },
    {
      measure: 'conditional writes as detected at start: default server · moto',
      value: `${detected(r.conditionalWrites.default)} · ${detected(r.conditionalWrites.moto)}`,
      target: 'ignored · enforced',
      met: r.conditionalWrites.default === false && r.conditionalWrites.moto === true,
    },
    {
      measure: 'moto: one write, 1 client: raw · API (p50)',
      value: `${ms(r.rawMoto.sequential.p50)} · ${ms(r.moto.sequential.p50)}`,
      target: '',
      met: null,
    },
    {
      measure: 'deploys on ÷ off throughput',
      value: `${derived.deploysOnVsOffThroughput.toFixed(2)}×`,
      target: '',
      met: null,
    },
    {
      measure: 'one write, 1 client: raw · off · on (p50)',
      value: `${ms(r.raw.sequential.p50)} · ${ms(r.deploysOff.sequential.p50)} · ${ms(r.deploysOn.sequential.p50)}`,
      target: '',
      met: null,
    },
    {
      measure: 'deploy trigger cost per write (p50 on − off)',
      value: ms(derived.deployTriggerP50Ms),
      target: '≤ 1 ms',
      met: derived.deployTriggerP50Ms <= 1,
    },
    { measure: 'Redis round trip (PING), 1 client', value: latency(r.redisRoundTripMs), target: '', met: null },
    {
      measure: `burst: ${r.burst.edits} edits from ${r.burst.clients} clients`,
      value: `${r.burst.throughput.toFixed(0)}/s · ${latency(r.burst.latency)}`,
      target: '',
      met: null,
    },
    {
      measure: 'burst → dispatches (payload editCount)',
      value: `${r.burst.dispatches} (${r.burst.payloadEditCount ?? '?'})`,
      target: `1 (${r.burst.edits})`,
      met: r.burst.dispatches === 1 && r.burst.payloadEditCount === r.burst.edits,
    },
    {
      measure: 'dispatch after the quiet window ends',
      value: r.burst.delayAfterQuietWindowMs === null ? 'none' : ms(r.burst.delayAfterQuietWindowMs),
      target: '≤ 100 ms',
      met: r.burst.delayAfterQuietWindowMs !== null && r.burst.delayAfterQuietWindowMs <= 100,
    },
    {
      measure: `S3 listing of all ${posts + authors} objects (worker snapshot before dispatch)`,
      value: latency(r.contentListingMs),
      target: '',
      met: null,
    },
    listRow(`GET /posts over ${posts} posts`, r.reads.listAll),
    listRow('GET /posts?authorId=', r.reads.listByAuthor),
    listRow('GET /posts?tag=', r.reads.listByTag),
    { measure: 'GET /posts/:id', value: latency(r.reads.getById), target: '', met: null },
    {
      measure: 'GET /posts right after a PATCH (same instance)',
      value: latency(r.reads.listAfterWrite),
      target: '',
      met: null,
    },
    {
      measure: `peak RSS of the service (VmHWM) over ${posts} posts: deploys on · off · moto`,
      value: `${r.peakRssMb.deploysOn.toFixed(0)} · ${r.peakRssMb.deploysOff.toFixed(0)} · ${r.peakRssMb.moto.toFixed(0)} MB`,
      target: '≤ 200 MB',
      met: Math.max(r.peakRssMb.deploysOn, r.peakRssMb.deploysOff, r.peakRssMb.moto) <= 200,
    },
    {
      measure: 'RSS peak by phase: start · writes · burst · reads',
      value: `${p.started} · ${p.writes} · ${p.burst} · ${p.reads} MB`,
      target: '',
      met: null,
    },
    {
      measure: `${l.posts} posts: listing caught up after the bucket grew`,
      value: `${(l.catchUpMs / 1000).toFixed(1)} s`,
      target: '',
      met: null,
    },
    listRow(`GET /posts over ${l.posts} posts`, l.listAll),
    listRow(`GET /posts?tag= over ${l.posts} posts`, l.listByTag),
    {
      measure: `live heap: ${posts} → ${l.posts} posts (per 1,000 posts)`,
      value: `${l.heapMb.before} → ${l.heapMb.after} MB (${l.heapMb.per1000Posts.toFixed(2)} MB)`,
      target: '',
      met: null,
    },
    {
      measure: `RSS over ${l.posts} posts: steady · peak while growing`,
      value: `${l.rssMb.steady} · ${l.rssMb.peak} MB`,
      target: '',
      met: null,
    },
  ];
}
