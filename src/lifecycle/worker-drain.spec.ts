import { WorkerHost } from '@nestjs/bullmq';
import { DiscoveryService } from '@nestjs/core';
import { WorkerDrain } from './worker-drain';

class Host extends WorkerHost {
  process(): Promise<void> {
    return Promise.resolve();
  }
}

/** A stand-in for a BullMQ Worker whose job in progress ends when `finishJob` is called (or never). */
function fakeWorker() {
  let finishJob!: () => void;
  const jobDone = new Promise<void>((resolve) => (finishJob = resolve));
  const worker = {
    name: 'deploy',
    closing: undefined as Promise<void> | undefined,
    isRunning: () => true,
    pause: jest.fn(() => jobDone),
    close: jest.fn((force?: boolean) => Promise.resolve(force)),
  };
  return { worker, finishJob };
}

function drainFor(worker: object, drainMs: number): WorkerDrain {
  const host = new Host();
  Object.assign(host, { _worker: worker });
  const discovery = {
    getProviders: () => [{ instance: host }, { instance: {} }, { instance: null }],
  } as unknown as DiscoveryService;
  const drain = new WorkerDrain(discovery);
  drain.drainMs = drainMs;
  return drain;
}

describe('WorkerDrain', () => {
  it('waits for the job in progress, then closes the worker normally', async () => {
    const { worker, finishJob } = fakeWorker();
    const shutdown = drainFor(worker, 5_000).beforeApplicationShutdown();
    await new Promise((resolve) => setImmediate(resolve));
    expect(worker.pause).toHaveBeenCalled();
    expect(worker.close).not.toHaveBeenCalled();
    finishJob();
    await shutdown;
    expect(worker.close).toHaveBeenCalledWith();
  });

  it('closes without waiting once the bound has passed (the job is left to another worker)', async () => {
    const { worker } = fakeWorker();
    const started = Date.now();
    await drainFor(worker, 50).beforeApplicationShutdown();
    expect(worker.close).toHaveBeenCalledWith(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('leaves a worker that is already closing alone', async () => {
    const { worker } = fakeWorker();
    worker.closing = Promise.resolve();
    await drainFor(worker, 50).beforeApplicationShutdown();
    expect(worker.pause).not.toHaveBeenCalled();
    expect(worker.close).not.toHaveBeenCalled();
  });
});
