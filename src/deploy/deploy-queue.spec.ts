import type { Queue } from 'bullmq';
import { loadConfig } from '../config/load-config';
import { DeployJobData, DeployQueue } from './deploy-queue';

const config = loadConfig({ S3_BUCKET: 'blog', GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'acme/blog' });
const wakeup = { deployId: 'd1', scheduledFor: Date.now() + 60_000, jobNumber: 1 };

/** A BullMQ queue whose add answers as `add` says; every call is recorded. */
function queueAnswering(add: () => Promise<unknown>) {
  const added: { name: string; jobId: unknown }[] = [];
  const delays: unknown[] = [];
  const queue = {
    on: () => queue,
    add: (name: string, _data: DeployJobData, opts: { jobId?: string; delay?: number }) => {
      added.push({ name, jobId: opts.jobId });
      delays.push(opts.delay);
      return add();
    },
  } as unknown as Queue<DeployJobData>;
  return { deployQueue: new DeployQueue(queue, config), added, delays };
}

describe('DeployQueue.schedule', () => {
  it('queues one wake-up job named after the deploy, with the deploy job id', async () => {
    const { deployQueue, added } = queueAnswering(() => Promise.resolve({}));
    await deployQueue.schedule(wakeup);
    expect(added).toEqual([{ name: 'deploy d1', jobId: 'd1.1' }]);
  });

  it('queues the wake-up half the quiet window before the deploy is due: the worker then sleeps until the lead it needs', async () => {
    const { deployQueue, delays } = queueAnswering(() => Promise.resolve({}));
    const now = wakeup.scheduledFor - 60_000;
    await deployQueue.schedule(wakeup, now);
    expect(config.deploy.debounceMs).toBe(30_000);
    expect(delays).toEqual([60_000 - 15_000]);
  });

  it('does not hold the write while BullMQ waits for Redis: it stops waiting, the add goes on', async () => {
    let landed = false;
    let land: () => void = () => undefined;
    const { deployQueue, added } = queueAnswering(
      () =>
        new Promise<void>((resolve) => {
          land = () => {
            landed = true;
            resolve();
          };
        }),
    );
    await deployQueue.schedule(wakeup, Date.now(), 50);
    expect(landed).toBe(false);
    expect(added).toHaveLength(1);
    land();
  });

  it('an add that fails is reported, not thrown: the change is recorded and the watchdog queues it again', async () => {
    const { deployQueue, added } = queueAnswering(() => Promise.reject(new Error('connect ECONNREFUSED')));
    await expect(deployQueue.schedule(wakeup)).resolves.toBeUndefined();
    expect(added).toHaveLength(1);
  });
});
