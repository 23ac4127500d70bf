import { backendKind } from './backends/backend-choice';
import { RUN_LABEL } from './backends/images';

/** Jest globalTeardown: removes any container of this run still there (a test file that failed before its cleanup). */
export default async function globalTeardown(): Promise<void> {
  if (backendKind() !== 'containers' || !process.env.TEST_RUN_ID) return;
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const left = await client.container.list();
  const ours = left.filter((info) => info.Labels?.[RUN_LABEL] === process.env.TEST_RUN_ID);
  await Promise.all(ours.map((info) => client.container.getById(info.Id).remove({ force: true, v: true })));
}
