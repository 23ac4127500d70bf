import fc from 'fast-check';
import type { ActionsRun } from '../github/github-runs';
import { findRun, listingSince, pollIntervalMs, runNotFoundMessage, runSearchLimitMs, statusForRun } from './run-rules';

const run = (over: Partial<ActionsRun>): ActionsRun => ({
  id: 1,
  url: 'https://github.com/acme/blog/actions/runs/1',
  title: 'deploy x',
  workflowId: 7,
  status: 'queued',
  conclusion: null,
  createdAt: '2026-12-01T10:00:00Z',
  startedAt: null,
  updatedAt: '2026-12-01T10:00:00Z',
  ...over,
});

describe('statusForRun', () => {
  it.each(['queued', 'waiting', 'pending', 'requested', 'in_progress'])('a %s run is building', (status) => {
    expect(statusForRun({ status, conclusion: null }, false)).toBe('building');
  });

  it('success is live; any other conclusion is build-failed', () => {
    expect(statusForRun({ status: 'completed', conclusion: 'success' }, true)).toBe('live');
    for (const conclusion of [
      'failure',
      'timed_out',
      'action_required',
      'startup_failure',
      'stale',
      'skipped',
      'neutral',
      null,
    ]) {
      expect(statusForRun({ status: 'completed', conclusion }, true)).toBe('build-failed');
    }
  });

  it('a cancelled run is superseded only when a newer deploy was dispatched after it', () => {
    expect(statusForRun({ status: 'completed', conclusion: 'cancelled' }, true)).toBe('superseded');
    expect(statusForRun({ status: 'completed', conclusion: 'cancelled' }, false)).toBe('build-failed');
  });
});

describe('findRun', () => {
  it('matches by run id when the dispatch returned it, ignoring titles', () => {
    const runs = [run({ id: 5, title: 'deploy abc' }), run({ id: 6, title: 'other' })];
    expect(
      findRun(runs, {
        id: 'abc',
        run: { id: 6, url: '', status: 'queued', conclusion: null, startedAt: null, completedAt: null },
      })?.id,
    ).toBe(6);
  });

  it('otherwise takes the oldest run whose title contains the deploy id', () => {
    const runs = [
      run({ id: 9, title: 'deploy abc', createdAt: '2026-12-01T10:00:05Z' }),
      run({ id: 8, title: 'deploy abc', createdAt: '2026-12-01T10:00:01Z' }),
      run({ id: 7, title: 'deploy abd' }),
    ];
    expect(findRun(runs, { id: 'abc', run: null })?.id).toBe(8);
    expect(findRun(runs, { id: 'zzz', run: null })).toBeUndefined();
  });
});

describe('polling cadence', () => {
  it('with the default hour: every 5 s at first, at most once a minute later', () => {
    expect(pollIntervalMs(0, 3_600_000)).toBe(5_000);
    expect(pollIntervalMs(30 * 60_000, 3_600_000)).toBe(60_000);
  });

  it('with webhooks, a safety net at the slowest pace', () => {
    expect(pollIntervalMs(0, 3_600_000, true)).toBe(60_000);
  });

  it('never speeds up as a run ages, and stays within its bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1_000, max: 7 * 86_400_000 }),
        (a, b, timeout) => {
          const [younger, older] = a <= b ? [a, b] : [b, a];
          expect(pollIntervalMs(younger, timeout)).toBeLessThanOrEqual(pollIntervalMs(older, timeout));
          expect(pollIntervalMs(older, timeout)).toBeGreaterThanOrEqual(250);
          expect(pollIntervalMs(older, timeout)).toBeLessThanOrEqual(60_000);
        },
      ),
    );
  });

  it('looks for a run for 10 minutes, or the whole timeout when it is shorter', () => {
    expect(runSearchLimitMs(3_600_000)).toBe(600_000);
    expect(runSearchLimitMs(5_000)).toBe(5_000);
  });

  it('lists from a whole minute, a minute before the oldest dispatch', () => {
    expect(listingSince(Date.parse('2026-12-01T10:05:42.123Z'))).toBe('2026-12-01T10:04:00Z');
  });
});

it('a run that never appeared is explained with the run-name line to add', () => {
  const message = runNotFoundMessage('abc', 600_000, 'repository_dispatch');
  expect(message).toContain('10 minute(s)');
  expect(message).toContain('run-name: deploy ${{ github.event.client_payload.deployId }}');
  expect(runNotFoundMessage('abc', 600_000, 'workflow_dispatch')).toContain('run-name: deploy ${{ inputs.deploy_id }}');
});
