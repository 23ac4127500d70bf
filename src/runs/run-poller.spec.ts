import { loadConfig } from '../config/load-config';
import { DeployEvents } from '../deploy/deploy-events';
import type { GithubRuns } from '../github/github-runs';
import { GithubDispatchError } from '../github/github.types';
import type { RunPollCache } from './run-poll-cache';
import { RunPoller } from './run-poller';
import type { RunTracker } from './run-tracker';

/** One shared "next pass" time, as Redis keeps it for every instance. */
class SharedSchedule {
  nextAt = 0;
  claimPoll(now: number, leaseMs: number): Promise<boolean> {
    if (this.nextAt > now) return Promise.resolve(false);
    this.nextAt = now + leaseMs;
    return Promise.resolve(true);
  }
  schedulePoll(at: number): Promise<void> {
    this.nextAt = at;
    return Promise.resolve();
  }
}

function poller(
  schedule: SharedSchedule,
  poll: () => Promise<number | null>,
): { pass: () => Promise<void>; passes: () => number } {
  let passes = 0;
  const tracker = { poll: () => (passes++, poll()) } as unknown as RunTracker;
  const config = loadConfig({
    S3_BUCKET: 'blog',
    GITHUB_TOKEN: 't',
    GITHUB_REPOSITORY: 'acme/blog',
    LOG_LEVEL: 'silent',
  });
  const instance = new RunPoller(
    tracker,
    schedule as unknown as RunPollCache,
    { available: true } as GithubRuns,
    new DeployEvents(),
    config,
  );
  return { pass: () => (instance as unknown as { passIfDue(): Promise<void> }).passIfDue(), passes: () => passes };
}

describe('RunPoller', () => {
  it('one pass for all instances: whoever claims it polls, the others skip until the next one is due', async () => {
    const schedule = new SharedSchedule();
    const [a, b] = [poller(schedule, () => Promise.resolve(5_000)), poller(schedule, () => Promise.resolve(5_000))];
    await Promise.all([a.pass(), b.pass()]);
    expect(a.passes() + b.passes()).toBe(1);
    expect(schedule.nextAt - Date.now()).toBeGreaterThan(4_000);
    await b.pass();
    expect(a.passes() + b.passes()).toBe(1);
  });

  it('waits as long as GitHub asks after a rate limit, and at least the slowest pace after any failure', async () => {
    const schedule = new SharedSchedule();
    const limited = poller(schedule, () => Promise.reject(new GithubDispatchError('rate limited', true, 90_000, 429)));
    await limited.pass();
    expect(schedule.nextAt - Date.now()).toBeGreaterThan(89_000);
    schedule.nextAt = 0;
    const down = poller(schedule, () => Promise.reject(new Error('ECONNREFUSED')));
    await down.pass();
    expect(schedule.nextAt - Date.now()).toBeGreaterThan(59_000);
  });
});
