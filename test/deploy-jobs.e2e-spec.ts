import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { DEPLOY_QUEUE } from '../src/deploy/deploy.constants';
import type { Deploy } from '../src/deploy/deploy.types';
import { RunningApp, TestStack, startApp } from './support/stack';
import { waitFor } from './support/wait-for';

/** What the dashboard shows: one job per deploy, also when a manual deploy takes over a pending one. */
describe('deploy jobs on the dashboard', () => {
  let stack: TestStack;
  let running: RunningApp;

  beforeAll(async () => {
    stack = await TestStack.start();
    // A long quiet window: the pending deploy's job sleeps until the manual request wakes it.
    running = await startApp(stack.config({ DEPLOY_DEBOUNCE_MS: '60000', DEPLOY_MAX_WAIT_MS: '120000' }));
  });

  afterAll(async () => {
    await running?.close();
    await stack?.stop();
  });

  const jobsOf = async (deployId: string) => {
    const queue = running.app.get<Queue>(getQueueToken(DEPLOY_QUEUE));
    const jobs = await queue.getJobs(['completed', 'failed', 'delayed', 'waiting', 'active']);
    return jobs.filter((job) => (job.data as { deployId: string }).deployId === deployId);
  };

  it('a manual deploy of a pending deploy runs its one job now instead of adding a second', async () => {
    await request(running.url).post('/authors').send({ id: 'ann', name: 'Ann' }).expect(201);
    const [pending] = (await request(running.url).get('/deploys').expect(200)).body.items as Deploy[];
    await waitFor('its wake-up job', async () => (await jobsOf(pending.id)).length === 1);

    const { body } = await request(running.url).post('/deploys').send({}).expect(202);
    expect(body.id).toBe(pending.id);
    await waitFor(
      'the deploy to finish',
      async () => (await request(running.url).get(`/deploys/${pending.id}`)).body.status === 'dry-run',
    );
    const jobs = await waitFor('its job to complete', async () => {
      const all = await jobsOf(pending.id);
      return all.every((job) => job.finishedOn !== undefined) ? all : undefined;
    });
    expect(jobs.map((job) => job.returnvalue as { status: string })).toEqual([
      expect.objectContaining({ status: 'dry-run' }),
    ]);
  });
});
