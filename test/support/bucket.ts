import { DirectS3 } from './direct-s3';
import { RunningApp, TestStack, startApp } from './stack';

/** One test file's stack, app and direct bucket access: the setup most content tests share. */
export interface AppWithBucket {
  stack: TestStack;
  running: RunningApp;
  bucket: DirectS3;
  url: string;
}

export async function startAppWithBucket(env: Record<string, string | undefined> = {}): Promise<AppWithBucket> {
  const stack = await TestStack.start();
  const running = await startApp(stack.config(env));
  return {
    stack,
    running,
    bucket: new DirectS3(stack.s3, running.config.s3.bucket, running.config.s3.prefix),
    url: running.url,
  };
}

/** Stops whatever of it started (safe after a failed beforeAll). */
export async function stopAppWithBucket(parts: Partial<AppWithBucket>): Promise<void> {
  parts.bucket?.close();
  await parts.running?.close();
  await parts.stack?.stop();
}
