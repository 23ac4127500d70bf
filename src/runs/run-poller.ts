import { PeriodicPass } from '../common/periodic-pass';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DeployEvents } from '../deploy/deploy-events';
import { RepeatedLog } from '../common/repeated-log';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { GithubRuns } from '../github/github-runs';
import { GithubDispatchError } from '../github/github.types';
import { RunPollCache } from './run-poll-cache';
import { pollIntervalMs } from './run-rules';
import { RunTracker } from './run-tracker';

/**
 * How long a claimed pass keeps others away: a few ticks (a pass usually takes milliseconds), so the turn of
 * an instance that died mid-pass passes on quickly. A pass slowed by a hanging GitHub may then overlap with
 * another instance's: that costs a request, nothing more (every report is idempotent).
 */
const LEASE_TICKS = 4;

/**
 * Runs the polling passes: every worker instance ticks, and the one that claims the pass in Redis (when it is
 * due) runs it for every followed run. The time of the next pass lives in Redis too, so when the polling
 * instance dies (even with kill -9) another one takes over within a few ticks.
 */
@Injectable()
export class RunPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly repeated = new RepeatedLog(new Logger('RunTracking'));
  private readonly tickMs: number;
  private readonly leaseMs: number;
  private readonly passes: PeriodicPass;

  constructor(
    private readonly tracker: RunTracker,
    private readonly cache: RunPollCache,
    private readonly github: GithubRuns,
    private readonly events: DeployEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.tickMs = pollIntervalMs(0, config.runs.timeoutMs);
    this.leaseMs = Math.max(1_000, LEASE_TICKS * this.tickMs);
    this.passes = new PeriodicPass(
      this.tickMs,
      () => this.passIfDue(),
      (error) => this.report(error),
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.runs.track || !this.github.available) return;
    // A new dispatch: look for its run at the next tick instead of waiting out a slow interval.
    this.events.subscribe(({ to }) => (to === 'dispatched' ? this.cache.schedulePoll(0) : undefined));
    this.passes.start({ runNow: false });
  }

  onApplicationShutdown(): Promise<void> {
    return this.passes.stop();
  }

  private async passIfDue(): Promise<void> {
    const now = Date.now();
    if (!(await this.cache.claimPoll(now, this.leaseMs))) return;
    let waitMs: number;
    try {
      waitMs = (await this.tracker.poll(now)) ?? this.tickMs;
    } catch (error) {
      this.report(error as Error);
      // GitHub asked for a pause (rate limit), or is unreachable: try again later, not at every tick.
      waitMs = Math.max(
        pollIntervalMs(Number.POSITIVE_INFINITY, this.config.runs.timeoutMs),
        (error as GithubDispatchError).retryAfterMs ?? 0,
      );
    }
    await this.cache.schedulePoll(Date.now() + waitMs);
  }

  /** The same failure is logged at most once per 10 s. */
  private report(error: Error): void {
    this.repeated.warn(`following GitHub Actions runs: ${error.message}`);
  }
}
