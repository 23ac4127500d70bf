import request from 'supertest';
import { RunningApp, TestStack, startApp } from './support/stack';

describe('service boots against real Redis and S3', () => {
  let stack: TestStack;
  let running: RunningApp;

  beforeAll(async () => {
    stack = await TestStack.start();
    running = await startApp(stack.config());
  });

  afterAll(async () => {
    await running?.close();
    await stack?.stop();
  });

  it('answers liveness and readiness', async () => {
    await request(running.url).get('/health').expect(200, { status: 'ok' });
    const ready = await request(running.url).get('/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({ redis: { status: 'up' }, s3: { status: 'up' } });
  });

  it('serves the OpenAPI document', async () => {
    const doc = await request(running.url).get('/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/authors', '/posts/{id}']));
  });
});
