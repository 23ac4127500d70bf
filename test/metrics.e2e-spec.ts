import { randomUUID } from 'node:crypto';
import { DirectS3 } from './support/direct-s3';
import { FakeGithub } from './support/fake-github';
import { killAllServices, ServiceProcess } from './support/processes';
import { accepted, API_TOKEN, Editor, productionEnv } from './support/resilience';
import { TestStack } from './support/stack';
import { waitFor } from './support/wait-for';

/** One sample of the Prometheus text format: `name{labels} value`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** GET /metrics of the built service in production mode, scraped after a dispatch. */
describe('GET /metrics', () => {
  let stack: TestStack;
  let github: FakeGithub;
  let service: ServiceProcess;
  const scrape = async (token = API_TOKEN) =>
    fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    [stack, github] = await Promise.all([TestStack.start(), FakeGithub.start()]);
    const bucket = `metrics-${randomUUID().slice(0, 8)}`;
    const s3 = new DirectS3(stack.s3, bucket);
    await s3.createBucket();
    s3.close();
    service = await ServiceProcess.start(
      'metrics',
      productionEnv(stack, github, { S3_BUCKET: bucket, DEPLOY_DEBOUNCE_MS: '500' }),
    );
    await service.waitForLog(/is the baseline/);
  });

  afterAll(async () => {
    await killAllServices();
    await github?.close();
    await stack?.stop();
  });

  it('needs the bearer token like the API', async () => {
    expect((await fetch(`${service.url}/metrics`)).status).toBe(401);
    expect((await scrape('not-a-token')).status).toBe(401);
  });

  it('counts the dispatch, its delay, pending changes, queue jobs and HTTP requests by route pattern', async () => {
    const editor = new Editor();
    await editor.save(service.url, 'metered', 'first');
    const pending = await scrape();
    expect(pending.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(sample(await pending.text(), 'blog_deploy_pending_changes')).toBe(1);

    await waitFor('the dispatch', () => accepted(github).length === 1);
    const text = await waitFor('the dispatched deploy counted', async () => {
      const body = await (await scrape()).text();
      return sample(body, 'blog_deploys_total', { status: 'dispatched' }) === 1 ? body : undefined;
    });
    expect(sample(text, 'blog_dispatch_delay_seconds_count')).toBe(1);
    expect(sample(text, 'blog_deploy_pending_changes')).toBe(0);
    expect(sample(text, 'blog_queue_jobs', { state: 'completed' })).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/authors', status: '201' }),
    ).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_count', { method: 'PATCH', route: '/authors/:id', status: '404' }),
    ).toBe(1);
    expect(text).not.toContain('route="/authors/metered"');
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });
});
