import { randomUUID } from 'node:crypto';
import { ImageName, getContainerRuntimeClient } from 'testcontainers';
import { chooseBackends, recordChoice } from './backends/backend-choice';

/**
 * Testcontainers' reaper (Ryuk) removes a run's containers even when jest is killed, but it is an image of its
 * own: where it is neither present nor pullable (an offline machine), the run removes its containers itself
 * (each stack on stop, and global-teardown.ts whatever is left by label).
 */
async function reaperAvailable(): Promise<boolean> {
  if (process.env.TESTCONTAINERS_RYUK_DISABLED === 'true') return false;
  const client = await getContainerRuntimeClient();
  const image = ImageName.fromString(process.env.RYUK_CONTAINER_IMAGE ?? 'testcontainers/ryuk:0.14.0');
  if (await client.image.exists(image)) return true;
  return client.image.pull(image).then(
    () => true,
    () => false,
  );
}

/** Jest globalSetup: decides once per run where Redis and S3 come from, says so in one line; workers inherit the environment. */
export default async function globalSetup(): Promise<void> {
  process.env.TEST_RUN_ID = randomUUID();
  const choice = await chooseBackends();
  recordChoice(choice);
  let detail = 'a redis-server child process and the in-process S3 server per test file';
  if (choice.kind === 'containers') {
    if (!(await reaperAvailable())) process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    detail = 'Redis and MinIO containers per test file (testcontainers)';
  }
  process.stdout.write(`\ntest backends: ${detail} (${choice.why})\n`);
}
