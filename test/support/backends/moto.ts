import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../../src/dev/free-port';
import { waitFor } from '../wait-for';
import type { TestS3 } from './s3-backend';

/**
 * moto's S3 server (`moto_server`, Python), which enforces If-Match / If-None-Match on PutObject and If-Match on
 * DeleteObject like AWS, unlike the in-process server: for the tests of conditional writes. In memory; any
 * credentials are accepted; buckets must be created first.
 *
 * `atomic` (the default): requests are handled one at a time (moto-serialized.py), so two conditional writes
 * racing for one key cannot both pass, as on AWS; plain moto_server checks, then writes. The benchmark, which
 * never races for a key, measures plain moto_server.
 */
export async function startMoto({ atomic = true }: { atomic?: boolean } = {}): Promise<TestS3> {
  const port = await freePort();
  const [command, args] = atomic
    ? ['python3', [join(__dirname, 'moto-serialized.py'), '127.0.0.1', String(port)]]
    : ['moto_server', ['-H', '127.0.0.1', '-p', String(port)]];
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
  spawnFailed.catch(() => undefined);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([
      spawnFailed,
      waitFor(
        `moto_server on ${endpoint}`,
        async () => {
          if (child.exitCode !== null) throw new Error(`it exited (${child.exitCode}): ${stderr}`);
          return (await fetch(`${endpoint}/moto-api/`)).ok;
        },
        20_000,
        50,
      ),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    credentials: { accessKeyId: 'moto-test', secretAccessKey: 'moto-test-secret' },
    name: 'moto',
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
