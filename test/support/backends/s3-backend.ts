import { StartedTestContainer, Wait } from 'testcontainers';
import { EMBEDDED_S3_CREDENTIALS, EmbeddedS3 } from '../../../src/dev/embedded-s3';
import { BackendKind } from './backend-choice';
import { RemovableContainer, startContainer } from './container-start';
import { MINIO_IMAGE, RUN_LABEL } from './images';
import { startMoto } from './moto';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** `moto` enforces If-Match / If-None-Match like AWS; the in-process server ignores them (MinIO honours them). */
export type S3Kind = 'default' | 'moto';

/** The S3-protocol server of one test file. */
export interface TestS3 {
  readonly endpoint: string;
  readonly credentials: S3Credentials;
  /** What it is, for failure messages: `in-process`, `minio container`, `moto`. */
  readonly name: string;
  stop(): Promise<void>;
}

const MINIO_CREDENTIALS: S3Credentials = { accessKeyId: 'blog-test', secretAccessKey: 'blog-test-secret' };

async function startMinio(): Promise<TestS3> {
  // GenericContainer rather than @testcontainers/minio: its releases that run on Node 20 need a newer testcontainers.
  // Docker picks the host port; a start that finds it taken meanwhile is tried again (startContainer).
  const container: StartedTestContainer = await startContainer(() =>
    Promise.resolve(
      new RemovableContainer(MINIO_IMAGE)
        .withCommand(['server', '/data'])
        .withEnvironment({
          MINIO_ROOT_USER: MINIO_CREDENTIALS.accessKeyId,
          MINIO_ROOT_PASSWORD: MINIO_CREDENTIALS.secretAccessKey,
        })
        .withExposedPorts(9000)
        .withLabels({ [RUN_LABEL]: process.env.TEST_RUN_ID ?? 'none' })
        .withWaitStrategy(Wait.forHttp('/minio/health/live', 9000)),
    ),
  );
  return {
    endpoint: `http://127.0.0.1:${container.getMappedPort(9000)}`,
    credentials: MINIO_CREDENTIALS,
    name: 'minio container',
    stop: async () => void (await container.stop({ timeout: 0, remove: true })),
  };
}

async function startInProcess(): Promise<TestS3> {
  const server = await EmbeddedS3.start();
  return {
    endpoint: server.endpoint,
    credentials: EMBEDDED_S3_CREDENTIALS,
    name: 'in-process',
    stop: () => server.stop(),
  };
}

export function startS3(kind: BackendKind, s3: S3Kind = 'default'): Promise<TestS3> {
  if (s3 === 'moto') return startMoto();
  return kind === 'containers' ? startMinio() : startInProcess();
}
