import { StartedTestContainer, Wait } from 'testcontainers';
import { EmbeddedRedis } from '../../../src/dev/embedded-redis';
import { freePort, portTaken } from '../../../src/dev/free-port';
import { waitFor } from '../wait-for';
import { BackendKind } from './backend-choice';
import { RemovableContainer, startContainer } from './container-start';
import { REDIS_IMAGE, RUN_LABEL } from './images';

/**
 * A Redis of one test file that the test can stop (crash or clean) and start again on the same port, so a
 * running service sees an outage and a recovery without being reconfigured. Nothing is persisted: a restart
 * starts empty, like a Redis that lost its data.
 */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** SIGKILL plays a crash, SIGTERM a clean shutdown; data is lost either way. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Redis in a container (testcontainers), published on a fixed host port so a restart keeps the URL. The first
 * start takes another free port if the one chosen was taken before Docker bound it; a restart must keep its
 * port, so it waits for the port to be free again before trying once more.
 */
class ContainerRedis implements TestRedis {
  private container: StartedTestContainer | undefined;
  private started = false;

  constructor(
    private hostPort: number,
    private readonly args: string[] = [],
  ) {}

  get port(): number {
    return this.hostPort;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.hostPort}`;
  }

  async start(): Promise<void> {
    this.container = await startContainer(async (attempt) => {
      if (attempt > 1 && !this.started) this.hostPort = await freePort();
      if (attempt > 1 && this.started)
        await waitFor(
          `host port ${this.hostPort} to be free again`,
          async () => !(await portTaken(this.hostPort)),
          10_000,
          50,
        );
      return new RemovableContainer(REDIS_IMAGE)
        .withCommand(['redis-server', '--save', '', '--appendonly', 'no', ...this.args])
        .withExposedPorts({ container: 6379, host: this.hostPort })
        .withLabels({ [RUN_LABEL]: process.env.TEST_RUN_ID ?? 'none' })
        .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'));
    });
    this.started = true;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const container = this.container;
    this.container = undefined;
    await container?.stop({ timeout: signal === 'SIGKILL' ? 0 : 5_000, remove: true });
  }
}

/** `args`: more redis-server arguments (`--replicaof 127.0.0.1 1` plays a read-only replica, say). */
export async function startRedis(kind: BackendKind, args: string[] = []): Promise<TestRedis> {
  if (kind === 'local') return EmbeddedRedis.start({ args });
  const redis = new ContainerRedis(await freePort(), args);
  await redis.start();
  return redis;
}
