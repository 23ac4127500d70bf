import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../src/dev/free-port';
import { waitFor } from './wait-for';

/**
 * moto's S3 server (`moto_server`, Python) on a free port: unlike the in-process emulator it enforces
 * If-Match / If-None-Match on PutObject and If-Match on DeleteObject as AWS does (412), so the service's
 * conditional writes are really exercised. Buckets are created by the app under test (createBucketIfMissing).
 */
export class MotoS3 {
  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<MotoS3> {
    const port = await freePort();
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`moto_server exited (${code}): ${stderr}`))));
    exited.catch(() => undefined);
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await Promise.race([exited, waitFor('moto_server to answer', async () => (await fetch(`${endpoint}/moto-api/data.json`)).ok, 20_000, 50)]);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return new MotoS3(child, endpoint);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
