import { DirectS3 } from './support/direct-s3';
import { killAllServices, ServiceProcess } from './support/processes';
import { TestStack } from './support/stack';
import { TlsRedis } from './support/tls-redis';
import { waitFor } from './support/wait-for';

/** The built service on a TLS-only Redis (`rediss://`), trusting the server through REDIS_TLS_CA_FILE. */
describe('Redis over TLS', () => {
  let stack: TestStack;
  let redis: TlsRedis;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    [stack, redis] = await Promise.all([TestStack.start(), TlsRedis.start()]);
    env = stack.env({ REDIS_URL: redis.url, REDIS_TLS_CA_FILE: redis.caFile, DEPLOY_DEBOUNCE_MS: '300' });
    const bucket = new DirectS3(stack.s3, env.S3_BUCKET!);
    await bucket.createBucket();
    bucket.close();
  });

  afterAll(async () => {
    await killAllServices();
    await redis?.stop();
    await stack?.stop();
  });

  it('is ready, saves an edit and deploys it with the CA of REDIS_TLS_CA_FILE', async () => {
    const service = await ServiceProcess.start('tls', env);
    const created = await fetch(`${service.url}/authors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Over TLS' }),
    });
    expect(created.status).toBe(201);
    const deploy = await waitFor('a dry-run deploy', async () => {
      const { items } = (await (await fetch(`${service.url}/deploys`)).json()) as { items: { status: string }[] };
      return items.find((d) => d.status === 'dry-run');
    });
    expect(deploy).toMatchObject({ status: 'dry-run' });
    await service.terminate();
  });

  it('does not trust the server without that CA: Redis is reported down, writes answer 503', async () => {
    const service = await ServiceProcess.start('tls-no-ca', { ...env, REDIS_TLS_CA_FILE: undefined }, { wait: 'live' });
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(503);
    const refused = await fetch(`${service.url}/authors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Untrusted' }),
    });
    expect(refused.status).toBe(503);
    await service.kill();
  });

  it('refuses to start when REDIS_TLS_CA_FILE cannot be read', async () => {
    const { code, stderr } = await ServiceProcess.run({ ...env, REDIS_TLS_CA_FILE: '/nonexistent/ca.crt' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining('REDIS_TLS_CA_FILE')]);
  });
});
