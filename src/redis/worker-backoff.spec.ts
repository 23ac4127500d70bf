import type { Worker } from 'bullmq';
import type { RepeatedLog } from '../common/repeated-log';
import { MAX_PAUSE_MS, WorkerBackoff } from './worker-backoff';

const READONLY = new Error("READONLY You can't write against a read only replica. script: abc, on @user_script:217.");

function setup() {
  const worker = {
    closing: undefined as Promise<void> | undefined,
    pause: jest.fn(() => Promise.resolve()),
    resume: jest.fn(() => Promise.resolve()),
  };
  const log = { warn: jest.fn() };
  const backoff = new WorkerBackoff('deploy worker', () => worker as unknown as Worker, log as unknown as RepeatedLog);
  return { worker, log, backoff };
}

/** Lets the pause promise chain run, then the pause timer. */
async function pauseEnds(ms: number): Promise<void> {
  await Promise.resolve();
  await Promise.resolve();
  jest.advanceTimersByTime(ms);
}

describe('WorkerBackoff', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('pauses the worker on an error Redis answers with, twice as long each time up to the cap, and resumes it', async () => {
    const { worker, backoff } = setup();
    const pauses: number[] = [];
    for (let i = 0; i < 8; i++) {
      backoff.onError(READONLY);
      backoff.onError(READONLY); // while paused: no second pause
      expect(worker.pause).toHaveBeenCalledTimes(i + 1);
      let waited = 0;
      await Promise.resolve();
      await Promise.resolve();
      while (worker.resume.mock.calls.length === i) {
        jest.advanceTimersByTime(100);
        waited += 100;
      }
      pauses.push(waited);
    }
    expect(pauses).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, MAX_PAUSE_MS, MAX_PAUSE_MS]);
  });

  it('starts again from the shortest pause once the worker sees Redis answer', async () => {
    const { worker, backoff } = setup();
    backoff.onError(READONLY);
    await pauseEnds(500);
    backoff.onError(READONLY);
    await pauseEnds(1_000);
    backoff.onHealthy();
    backoff.onError(READONLY);
    await pauseEnds(500);
    expect(worker.resume).toHaveBeenCalledTimes(3);
  });

  it('leaves connection errors to the reconnecting client, but logs them', () => {
    const { worker, log, backoff } = setup();
    backoff.onError(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    expect(worker.pause).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledWith(expect.stringMatching(/Redis cannot be reached/), 'redis unreachable');
  });

  it('never resumes a worker once shutdown began', async () => {
    const { worker, backoff } = setup();
    backoff.onError(READONLY);
    backoff.stop();
    await pauseEnds(60_000);
    expect(worker.resume).not.toHaveBeenCalled();
  });
});
