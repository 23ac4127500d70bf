import { machineBusyCpuMs, ownCpuMs, processCpuMs } from '../lib/cpu';
import { Service, Stack, deploysSettled, storageFor } from '../stack';
import {
  WritePlan,
  WriteResult,
  WriteTarget,
  apiCreate,
  interleavedWrites,
  rawCheckedPut,
  rawPutObject,
} from './writes';

/** POST /posts through one instance, then the other, and so on. */
function apiCreateOnEither(pair: [Service, Service]): WriteTarget['write'] {
  const writes = pair.map((service) => apiCreate(service.client));
  let turn = 0;
  return (post) => writes[turn++ % writes.length](post);
}

/**
 * Every write target of the run, interleaved: raw PutObject, raw HeadObject + PutObject and the API (deploys
 * off, on, and on over two instances) on the default S3 server; raw PutObject and the API on moto. Besides
 * each service's own CPU, every slice reads the whole machine's and that of each other process a create
 * keeps busy.
 */
export async function writesSideBySide(
  stack: Stack,
  { off, on, moto, pair }: { off: Service; on: Service; moto: Service; pair: [Service, Service] },
  plan: WritePlan,
): Promise<Record<string, WriteResult>> {
  const raw = storageFor(stack.s3.endpoint, 'bench-raw');
  const rawChecked = storageFor(stack.s3.endpoint, 'bench-raw-checked');
  const rawMoto = storageFor(stack.moto.endpoint, 'bench-raw-moto');
  try {
    return await interleavedWrites(
      [
        { name: 'raw', write: rawPutObject(raw) },
        { name: 'rawChecked', write: rawCheckedPut(rawChecked) },
        { name: 'off', write: apiCreate(off.client), cpuMs: () => off.app.cpuMs() },
        // Its deploy goes out between slices, so the dispatch's S3 listing does not weigh on the next target's slice.
        {
          name: 'on',
          write: apiCreate(on.client),
          afterSlice: () => deploysSettled(on.client),
          cpuMs: () => on.app.cpuMs(),
        },
        // Two instances on one bucket and one Redis, the clients' requests taking turns: the service on both cores.
        {
          name: 'pair',
          write: apiCreateOnEither(pair),
          afterSlice: () => deploysSettled(pair[0].client),
          cpuMs: () => pair[0].app.cpuMs() + pair[1].app.cpuMs(),
        },
        { name: 'rawMoto', write: rawPutObject(rawMoto) },
        {
          name: 'moto',
          write: apiCreate(moto.client),
          afterSlice: () => deploysSettled(moto.client),
          cpuMs: () => moto.app.cpuMs(),
        },
      ],
      plan,
      () => ({
        machine: machineBusyCpuMs(),
        s3Server: stack.s3.cpuMs(),
        redis: stack.redis.pid === undefined ? 0 : processCpuMs(stack.redis.pid),
        bench: ownCpuMs(),
      }),
    );
  } finally {
    for (const storage of [raw, rawChecked, rawMoto]) storage.onApplicationShutdown();
  }
}
