import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import type { DeployQueue } from './deploy-queue';
import { DeployWatchdog } from './deploy-watchdog';
import { InMemoryDeployState } from './testing/in-memory-deploy-state';

const config = { deploy: { reconcileMs: 60_000 } } as AppConfig;
const NOW = Date.parse('2026-06-01T12:00:00.000Z');

function setup(jobState = 'active') {
  const state = new InMemoryDeployState();
  const queue = { schedule: jest.fn(() => Promise.resolve()), state: jest.fn(() => Promise.resolve(jobState)) };
  return { state, queue, watchdog: new DeployWatchdog(state, queue as unknown as DeployQueue, config) };
}

describe('DeployWatchdog (against the in-memory deploy state)', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('leaves a deploy in flight alone while its job lives', async () => {
    const { state, queue, watchdog } = setup('active');
    state.seed({ id: 'flying', status: 'dispatching' }, { jobId: 'flying.1' });
    await watchdog.check(NOW);
    expect((await state.get('flying'))!.status).toBe('dispatching');
    expect(queue.schedule).not.toHaveBeenCalled();
  });

  it.each(['completed', 'failed', 'unknown'])(
    'fails a deploy whose job is %s and sends its changes again at once',
    async (jobState) => {
      const { state, queue, watchdog } = setup(jobState);
      const change = { kind: 'post' as const, id: 'p', action: 'updated' as const, at: '2026-01-01T00:00:00.000Z' };
      state.seed({ id: 'orphan', status: 'dispatching', changes: [change], editCount: 1 }, { jobId: 'orphan.1' });
      await watchdog.check(NOW);
      expect((await state.get('orphan'))!.status).toBe('failed');
      const { next, inflight } = await state.pointers();
      expect(inflight).toBeNull();
      expect(await state.get(next!.deployId)).toMatchObject({
        status: 'pending',
        reason: 'reconcile',
        changes: [change],
        scheduledFor: new Date(NOW).toISOString(),
      });
      expect(queue.schedule).toHaveBeenCalledWith(
        expect.objectContaining({ deployId: next!.deployId, scheduledFor: NOW }),
        NOW,
      );
    },
  );

  it('wakes the job of an overdue pending deploy (the same job, made to run now)', async () => {
    const { state, queue, watchdog } = setup();
    state.seed({ id: 'late', status: 'pending', scheduledFor: new Date(NOW - 60_000).toISOString() }, 'next');
    await watchdog.check(NOW);
    expect(queue.schedule).toHaveBeenCalledWith(
      { deployId: 'late', scheduledFor: NOW, jobNumber: 1, promote: true },
      NOW,
    );
  });

  it('does not wake a held deploy, except at start, when the restart releases it', async () => {
    const { state, queue, watchdog } = setup();
    state.seed({ id: 'kept', status: 'held', scheduledFor: null }, 'next');
    await watchdog.check(NOW);
    expect(queue.schedule).not.toHaveBeenCalled();
    await watchdog.check(NOW, true);
    expect(await state.get('kept')).toMatchObject({
      status: 'pending',
      scheduledFor: new Date(NOW).toISOString(),
      lastError: null,
    });
    expect(queue.schedule).toHaveBeenCalledWith(expect.objectContaining({ deployId: 'kept', scheduledFor: NOW }), NOW);
  });

  it('survives a failing check (Redis away) and logs the same failure once per window', async () => {
    const { state, watchdog } = setup();
    jest
      .spyOn(state, 'pointers')
      .mockRejectedValue(new Error('READONLY You cannot write against a read only replica.'));
    for (let i = 0; i < 5; i++) await watchdog.check(NOW);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
