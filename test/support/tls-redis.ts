import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/dev/free-port';
import { waitFor } from './wait-for';

/**
 * A redis-server that speaks only TLS, with a certificate signed by a CA made for the test by openssl (the server
 * certificate names IP 127.0.0.1). `caFile` is what REDIS_TLS_CA_FILE points at.
 */
export class TlsRedis {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `rediss://127.0.0.1:${this.port}`;
  }

  get caFile(): string {
    return join(this.dir, 'ca.crt');
  }

  static async start(): Promise<TlsRedis> {
    const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=blog-deployer test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    );
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      'san.ext',
      '-out',
      'server.crt',
    );
    const port = await freePort();
    const child = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        'server.crt',
        '--tls-key-file',
        'server.key',
        '--tls-ca-cert-file',
        'ca.crt',
        '--tls-auth-clients',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    const redis = new TlsRedis(child, dir, port);
    const probe = new Redis({
      port,
      host: '127.0.0.1',
      tls: { ca: readFileSync(redis.caFile) },
      maxRetriesPerRequest: 1,
      retryStrategy: () => 50,
    });
    probe.on('error', () => undefined); // refused until it listens
    try {
      await waitFor('the TLS redis-server', async () => (await probe.ping()) === 'PONG', 10_000, 50);
    } catch (error) {
      await redis.stop();
      throw error;
    } finally {
      probe.disconnect();
    }
    return redis;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
