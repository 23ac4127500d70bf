import { EmbeddedS3 } from '../src/dev/embedded-s3';

/**
 * The S3-protocol server of the benchmark, in its own process: in the benchmark's process it would share
 * one event loop with the load generator and make both the raw and the API numbers about that instead.
 * Prints `{ "endpoint": ... }` on one line when ready; stops on SIGTERM.
 */
async function main(): Promise<void> {
  const s3 = await EmbeddedS3.start({ buckets: process.argv.slice(2) });
  process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
  const stop = (): void => void s3.stop().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`S3 server failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
