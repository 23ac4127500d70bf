import fc from 'fast-check';
import { AppConfig } from '../config/app-config';
import { describeNeed, missingPermissions, neededPermissions, tracksRuns } from './app-permissions';

describe('neededPermissions', () => {
  it.each([
    [
      { kind: 'repository_dispatch' } as const,
      true,
      ['Contents: read & write (repository_dispatch)', 'Actions: read (following runs, DEPLOY_TRACK_RUNS)'],
    ],
    [{ kind: 'repository_dispatch' } as const, false, ['Contents: read & write (repository_dispatch)']],
    [
      { kind: 'workflow_dispatch', workflow: 'deploy.yml' } as const,
      true,
      ['Actions: read & write (workflow_dispatch)'],
    ],
    [
      { kind: 'workflow_dispatch', workflow: 'deploy.yml' } as const,
      false,
      ['Actions: read & write (workflow_dispatch)'],
    ],
  ])('%j, tracking runs %s', (trigger, track, described) => {
    expect(neededPermissions(trigger, track).map(describeNeed)).toEqual(described);
  });

  it('tracks runs unless DEPLOY_TRACK_RUNS says no', () => {
    expect(tracksRuns({} as AppConfig)).toBe(true);
    expect(tracksRuns({ runs: { track: false } } as unknown as AppConfig)).toBe(false);
  });
});

describe('missingPermissions', () => {
  const level = fc.constantFrom(undefined, 'read', 'write');
  it('misses a need exactly when the grant is absent, or read where write is needed', () => {
    fc.assert(
      fc.property(level, level, fc.boolean(), fc.boolean(), (contents, actions, workflow, track) => {
        const needs = neededPermissions(
          workflow ? { kind: 'workflow_dispatch', workflow: 'd.yml' } : { kind: 'repository_dispatch' },
          track,
        );
        const missing = missingPermissions({ contents, actions }, needs);
        const rank = { read: 1, write: 2 } as const;
        for (const need of needs) {
          const granted = need.permission === 'contents' ? contents : actions;
          const enough = granted !== undefined && rank[granted] >= rank[need.level];
          if (missing.includes(need) === enough) return false;
        }
        return true;
      }),
    );
  });
});
