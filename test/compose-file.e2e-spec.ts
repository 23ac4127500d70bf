import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINIO_IMAGE, REDIS_IMAGE } from './support/backends/images';

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Variables the compose file sets itself because it wires its own Redis, MinIO and port. */
const WIRED_BY_COMPOSE = [
  'PORT',
  'REDIS_URL',
  'REDIS_CLUSTER',
  'REDIS_TLS_CA_FILE',
  'S3_ENDPOINT',
  'S3_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
];
/** Read only by `npm run dev` (its embedded S3 server and data folder), never by the service in a container. */
const DEV_ONLY = ['DEV_S3_PORT', 'DEV_DATA_DIR'];

/**
 * docker-compose.yml against the rest of the repository: every variable the service reads (as .env.example lists
 * them) reaches the app container, ports are published on loopback only, and no image floats on `latest`.
 * (The stack itself is brought up and checked by .ci/compose-smoke.sh.)
 */
describe('docker-compose.yml', () => {
  const compose = read('docker-compose.yml');
  const app = compose.slice(compose.indexOf('\n  app:'));

  it('passes every variable of .env.example through to the app', () => {
    const names = [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(10);
    const missing = names.filter(
      (name) =>
        !WIRED_BY_COMPOSE.includes(name) &&
        !DEV_ONLY.includes(name) &&
        !new RegExp(`^\\s+${name}: \\$\\{${name}:-`, 'm').test(app),
    );
    expect(missing).toEqual([]);
  });

  it('publishes ports on 127.0.0.1 unless BIND_ADDRESS says otherwise', () => {
    const ports = [...compose.matchAll(/^\s+- "([^"]+)"/gm)].map((m) => m[1]).filter((p) => /:\d+$/.test(p));
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port).toMatch(/^\$\{BIND_ADDRESS:-127\.0\.0\.1\}:/);
  });

  it('pins every image to a version', () => {
    const images = [...compose.matchAll(/^\s+image: (\S+)/gm)]
      .map((m) => m[1])
      .filter((image) => image !== 'blog-deployer:local');
    expect(images.length).toBe(3);
    for (const image of images) expect(image).not.toMatch(/:latest$|^[^:]+$/);
  });

  it('runs the Redis and MinIO images the container-backed tests run', () => {
    expect(compose).toContain(`image: ${REDIS_IMAGE}\n`);
    expect(compose).toContain(`image: ${MINIO_IMAGE}\n`);
  });
});
