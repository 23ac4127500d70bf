import { ImageName, getContainerRuntimeClient } from 'testcontainers';
import { MINIO_IMAGE, REDIS_IMAGE } from './images';

/**
 * Where the tests get Redis and S3 from: `containers` (testcontainers on a reachable Docker engine) or `local`
 * (a redis-server child process and the in-process S3 server). `TEST_BACKENDS=containers|local` forces one;
 * unset, containers are used when an engine answers and its images are present or can be pulled.
 */
export type BackendKind = 'containers' | 'local';

const VARIABLE = 'TEST_BACKENDS';

export interface BackendChoice {
  kind: BackendKind;
  why: string;
}

async function imagesAvailable(): Promise<string | null> {
  const client = await getContainerRuntimeClient();
  for (const image of [REDIS_IMAGE, MINIO_IMAGE]) {
    const name = ImageName.fromString(image);
    if (await client.image.exists(name)) continue;
    try {
      await client.image.pull(name);
    } catch {
      return `${image} is neither present nor pullable (offline? see .ci/offline-images/)`;
    }
  }
  return null;
}

/** Decides once per run (jest globalSetup); test files read the decision with `backendKind()`. */
export async function chooseBackends(): Promise<BackendChoice> {
  const forced = process.env[VARIABLE];
  if (forced === 'local') return { kind: 'local', why: `${VARIABLE}=local` };
  const reachable = await getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
  if (forced === 'containers') {
    if (!reachable) throw new Error(`${VARIABLE}=containers, but no Docker engine is reachable`);
    const missing = await imagesAvailable();
    if (missing) throw new Error(`${VARIABLE}=containers, but ${missing}`);
    return { kind: 'containers', why: `${VARIABLE}=containers` };
  }
  if (forced !== undefined && forced !== '' && forced !== 'auto')
    throw new Error(`${VARIABLE} must be containers, local or auto, not "${forced}"`);
  if (!reachable) return { kind: 'local', why: 'no Docker engine is reachable' };
  const missing = await imagesAvailable();
  return missing ? { kind: 'local', why: missing } : { kind: 'containers', why: 'a Docker engine is reachable' };
}

/** The decision of this run; `local` when a test file runs outside jest's globalSetup (e.g. a debugger). */
export function backendKind(): BackendKind {
  return process.env[VARIABLE] === 'containers' ? 'containers' : 'local';
}

export function recordChoice(choice: BackendChoice): void {
  process.env[VARIABLE] = choice.kind;
}
