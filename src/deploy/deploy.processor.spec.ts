import { Logger } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import type { AppConfig } from '../config/app-config';
import type { GithubClient } from '../github/github.client';
import { GithubDispatchError } from '../github/github.types';
import type { DeployJobData, DeployQueue } from './deploy-queue';
import { DeployProcessor } from './deploy.processor';
import type { DispatchSnapshots } from './dispatch-snapshots';
import { InMemoryDeployState } from './testing/in-memory-deploy-state';

const config = { deploy: { debounceMs: 1_000, maxAttempts: 3, backoffMs: 100 } } as AppConfig;

function setup(
  dispatch: GithubClient['dispatch'] = () => Promise.resolve({ kind: 'dispatched' }),
  debounceMs = config.deploy.debounceMs,
) {
  const state = new InMemoryDeployState(debounceMs);
  const queue = { schedule: jest.fn(() => Promise.resolve()) };
  const snapshots = {
    prepare: jest.fn(() => Promise.resolve()),
    discard: jest.fn(),
    describe: jest.fn((id: string) => state.get(id)),
    markDispatched: jest.fn(() => Promise.resolve()),
    lastDurationMs: 0,
  };
  const github = { dispatch: jest.fn(dispatch) };
  const processor = new DeployProcessor(
    state,
    queue as unknown as DeployQueue,
    github as unknown as GithubClient,
    snapshots as unknown as DispatchSnapshots,
    { ...config, deploy: { ...config.deploy, debounceMs } },
  );
  const job = (deployId: string, jobNumber = 1, attemptsMade = 0) =>
    ({
      id: `${deployId}.${jobNumber}`,
      data: { deployId },
      attemptsMade,
      updateData: jest.fn(() => Promise.resolve()),
      moveToDelayed: jest.fn(() => Promise.resolve()),
    }) as unknown as Job<DeployJobData> & { moveToDelayed: jest.Mock };
  return { state, queue, snapshots, github, processor, job };
}

const change = { kind: 'author' as const, id: 'ada', action: 'updated' as const, at: '2026-01-01T00:00:00.000Z' };

describe('DeployProcessor (against the in-memory deploy state)', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('claims a due deploy, dispatches it, moves the marker and records it as dispatched', async () => {
    const { state, processor, job, github, snapshots } = setup();
    const wakeup = (await state.recordChange(change, Date.now() - 5_000))!;
    await expect(processor.process(job(wakeup.deployId))).resolves.toEqual({
      status: 'dispatched',
      deployId: wakeup.deployId,
      attempts: 1,
    });
    expect(github.dispatch).toHaveBeenCalledWith(
      expect.objectContaining({ deployId: wakeup.deployId, changes: [change], editCount: 1 }),
    );
    expect(snapshots.markDispatched).toHaveBeenCalledWith(wakeup.deployId);
    expect(await state.get(wakeup.deployId)).toMatchObject({ status: 'dispatched', attempts: 1 });
    expect(state.transitions.map((t) => `${t.from}->${t.to}`)).toEqual([
      'null->pending',
      'pending->dispatching',
      'dispatching->dispatched',
    ]);
  });

  it('stores the run GitHub reports for the dispatch', async () => {
    const { state, processor, job } = setup(() =>
      Promise.resolve({
        kind: 'dispatched',
        run: { id: 7, url: 'https://github.com/acme/blog/actions/runs/7' },
      } as never),
    );
    const { deployId } = (await state.recordChange(change, Date.now() - 5_000))!;
    await processor.process(job(deployId));
    expect((await state.get(deployId))!.run).toEqual({
      id: 7,
      url: 'https://github.com/acme/blog/actions/runs/7',
      status: 'queued',
      conclusion: null,
      startedAt: null,
      completedAt: null,
    });
  });

  it('goes back to sleep until a lead time before the deploy is due, without claiming it', async () => {
    const { state, processor, job, github } = setup();
    const { deployId, scheduledFor } = (await state.recordChange(change, Date.now() + 60_000))!;
    const sleeping = job(deployId);
    await expect(processor.process(sleeping)).rejects.toBeInstanceOf(DelayedError);
    expect(sleeping.moveToDelayed).toHaveBeenCalledWith(scheduledFor - 500, undefined);
    expect(github.dispatch).not.toHaveBeenCalled();
    expect((await state.get(deployId))!.status).toBe('pending');
  });

  it('starts the snapshot earlier once the last one took longer than the usual lead, within half the quiet window', async () => {
    const { state, processor, job, snapshots } = setup(undefined, 30_000);
    const { deployId, scheduledFor } = (await state.recordChange(change, Date.now()))!;
    const first = job(deployId);
    await expect(processor.process(first)).rejects.toBeInstanceOf(DelayedError);
    expect(first.moveToDelayed).toHaveBeenCalledWith(scheduledFor - 1_000, undefined);

    snapshots.lastDurationMs = 3_000; // the bucket grew
    const second = job(deployId);
    await expect(processor.process(second)).rejects.toBeInstanceOf(DelayedError);
    expect(second.moveToDelayed).toHaveBeenCalledWith(scheduledFor - 4_500, undefined);
    expect(snapshots.prepare).not.toHaveBeenCalled();
  });

  it('ends without dispatching when its deploy went already, another is in flight, or it is held', async () => {
    const { state, processor, job, github } = setup();
    state.seed({ id: 'gone', status: 'dispatched' });
    await expect(processor.process(job('gone'))).resolves.toEqual({ status: 'already-dispatched', deployId: 'gone' });
    state.seed({ id: 'flying', status: 'dispatching' }, { jobId: 'flying.1' });
    state.seed({ id: 'waiting', status: 'pending', scheduledFor: new Date(0).toISOString() }, 'next');
    await expect(processor.process(job('waiting'))).resolves.toEqual({ status: 'busy', deployId: 'waiting' });
    const held = setup();
    held.state.seed({ id: 'kept', status: 'held', scheduledFor: null }, 'next');
    await expect(held.processor.process(held.job('kept'))).resolves.toEqual({ status: 'held', deployId: 'kept' });
    expect(github.dispatch).not.toHaveBeenCalled();
  });

  it('marks a retryable failure retrying, with the delay it chose on the error for BullMQ', async () => {
    const { state, processor, job } = setup(() =>
      Promise.reject(new GithubDispatchError('GitHub answered 502', true, 2_000)),
    );
    const { deployId } = (await state.recordChange(change, Date.now() - 5_000))!;
    const error = await processor.process(job(deployId)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GithubDispatchError);
    expect((error as { retryDelayMs: number }).retryDelayMs).toBeGreaterThanOrEqual(2_000);
    expect(await state.get(deployId)).toMatchObject({
      status: 'retrying',
      attempts: 1,
      lastError: 'GitHub answered 502',
    });
  });

  it('fails a refused dispatch at once and holds its changes for the next edit, manual deploy or restart', async () => {
    const { state, processor, job } = setup(() =>
      Promise.reject(new GithubDispatchError('GitHub rejected the token (401)', false)),
    );
    const { deployId } = (await state.recordChange(change, Date.now() - 5_000))!;
    await expect(processor.process(job(deployId))).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await state.get(deployId)).toMatchObject({ status: 'failed', lastError: 'GitHub rejected the token (401)' });
    const { next } = await state.pointers();
    expect(await state.get(next!.deployId)).toMatchObject({
      status: 'held',
      scheduledFor: null,
      changes: [change],
      lastError: expect.stringMatching(/next edit/),
    });
  });

  it('fails after the last attempt even when the error is retryable', async () => {
    const { state, processor, job } = setup(() => Promise.reject(new GithubDispatchError('GitHub answered 502', true)));
    const { deployId } = (await state.recordChange(change, Date.now() - 5_000))!;
    await expect(processor.process(job(deployId, 1, config.deploy.maxAttempts - 1))).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(await state.get(deployId)).toMatchObject({ status: 'failed', attempts: config.deploy.maxAttempts });
  });
});
