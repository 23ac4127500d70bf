import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createServer } from 'node:net';
import { waitFor } from './wait-for';

const run = promisify(execFile);

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A free port whose cluster bus port (port + 10000) is free too; the OS's ephemeral ports may be above 55535. */
async function nodePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await canListen(port)) && (await canListen(port + 10_000))) return port;
  }
}

interface Node {
  port: number;
  id: string;
  process: ChildProcess;
  admin: Redis;
}

/**
 * A real Redis Cluster of three masters (no replicas), each a private redis-server on a free port, made with
 * `redis-cli --cluster create`. Tests point the service at `urls` with REDIS_CLUSTER=true, and can move a slot to
 * another node while it runs, the way a reshard or a failover does.
 */
export class TestRedisCluster {
  private constructor(
    private readonly nodes: Node[],
    private readonly dir: string,
  ) {}

  static async start(): Promise<TestRedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
    const ports = [await nodePort(), await nodePort(), await nodePort()];
    const processes = ports.map((port) =>
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      ),
    );
    const admins = ports.map(
      (port) => new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 50 }),
    );
    for (const admin of admins) admin.on('error', () => undefined); // refused until the node listens
    try {
      await waitFor(
        'three redis-server nodes',
        async () => (await Promise.all(admins.map((a) => a.ping()))).length === 3,
        10_000,
        50,
      );
      await run('redis-cli', [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      await waitFor(
        'cluster_state:ok on every node',
        async () =>
          (await Promise.all(admins.map((a) => a.cluster('INFO')))).every((info) =>
            String(info).includes('cluster_state:ok'),
          ),
        15_000,
        100,
      );
      const ids = await Promise.all(admins.map(async (a) => String(await a.cluster('MYID'))));
      return new TestRedisCluster(
        ports.map((port, i) => ({ port, id: ids[i], process: processes[i], admin: admins[i] })),
        dir,
      );
    } catch (error) {
      for (const admin of admins) admin.disconnect();
      for (const child of processes) child.kill('SIGKILL');
      throw error;
    }
  }

  /** REDIS_URL for the service: every node as a seed. */
  get urls(): string {
    return this.nodes.map((n) => `redis://127.0.0.1:${n.port}`).join(',');
  }

  /** One node's URL (for the test that points a plain client at a cluster node). */
  nodeUrl(index: number): string {
    return `redis://127.0.0.1:${this.nodes[index].port}`;
  }

  /** The port of the node serving `slot`. */
  async ownerOf(slot: number): Promise<number> {
    return (await this.owner(slot)).port;
  }

  /**
   * Moves `slot` with its keys to another node, the way `redis-cli --cluster reshard` does: IMPORTING/MIGRATING,
   * MIGRATE the keys in batches, then SETSLOT NODE everywhere. Half-way through the keys (clients then meet ASK
   * redirections and TRYAGAIN for keys split across the nodes) it waits for `midway`. Returns the new owner's port.
   */
  async migrateSlot(slot: number, midway: () => Promise<unknown> = () => Promise.resolve()): Promise<number> {
    const source = await this.owner(slot);
    const target = this.nodes.find((n) => n !== source)!;
    await target.admin.cluster('SETSLOT', slot, 'IMPORTING', source.id);
    await source.admin.cluster('SETSLOT', slot, 'MIGRATING', target.id);
    const moveKeys = async (count: number): Promise<number> => {
      const keys = await source.admin.cluster('GETKEYSINSLOT', slot, count);
      if (keys.length > 0) await source.admin.migrate('127.0.0.1', target.port, '', 0, 5_000, 'KEYS', ...keys);
      return keys.length;
    };
    await moveKeys(Math.ceil(Number(await source.admin.cluster('COUNTKEYSINSLOT', slot)) / 2));
    await midway();
    while ((await moveKeys(100)) > 0);
    for (const node of [target, source, ...this.nodes.filter((n) => n !== source && n !== target)])
      await node.admin.cluster('SETSLOT', slot, 'NODE', target.id);
    return target.port;
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) node.admin.disconnect();
    await Promise.all(
      this.nodes.map(
        (n) =>
          new Promise<void>((resolve) =>
            n.process.exitCode !== null
              ? resolve()
              : (n.process.once('exit', () => resolve()), n.process.kill('SIGKILL')),
          ),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async owner(slot: number): Promise<Node> {
    const slots = await this.nodes[0].admin.cluster('SLOTS');
    const range = slots.find(([from, to]) => slot >= from && slot <= to);
    const node = this.nodes.find((n) => n.port === range?.[2]?.[1]);
    if (!node) throw new Error(`no node serves slot ${slot}`);
    return node;
  }
}
