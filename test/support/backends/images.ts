/**
 * The images the container-backed tests run: the same ones docker-compose.yml names, so tests and the composed
 * stack exercise one Redis and one S3 server version.
 */
export const REDIS_IMAGE = 'redis:7.4-bookworm';
export const MINIO_IMAGE = 'minio/minio:RELEASE.2025-09-07T16-13-09Z';

/** Every container a test run starts carries this label with the run's id, so the run removes exactly its own. */
export const RUN_LABEL = 'blog-deployer.test-run';
