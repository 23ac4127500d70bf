import { Logger } from '@nestjs/common';
import { within } from '../common/within';
import { GithubAccess } from './github.types';

const UNCHECKED: GithubAccess = {
  state: 'unknown',
  message: 'GitHub access has not been checked yet.',
  checkedAt: null,
};

/**
 * Keeps the latest GitHub access check for /health/ready: concurrent callers share one check, a hung GitHub
 * cannot stall a probe, and a change of state is logged once (not on every probe).
 */
export class AccessCache {
  private latest: GithubAccess;
  private latestAtMs = 0;
  private running?: Promise<GithubAccess>;

  /** Without `check` (dry run) the answer is always `fixed`. */
  constructor(
    private readonly check: (() => Promise<GithubAccess>) | undefined,
    private readonly fixed: GithubAccess,
    private readonly ttlMs: number,
    private readonly logger: Logger,
    private readonly shutdown: AbortSignal,
  ) {
    this.latest = check ? UNCHECKED : fixed;
  }

  last(): GithubAccess {
    return this.latest;
  }

  /** The last check if younger than `maxAgeMs`, else a new one, waiting for it at most `waitMs`. */
  async get({ maxAgeMs = this.ttlMs, waitMs = Number.POSITIVE_INFINITY } = {}): Promise<GithubAccess> {
    if (!this.check) return this.fixed;
    const fresh = this.latest.state !== 'unknown' && Date.now() - this.latestAtMs < maxAgeMs;
    if (fresh && !this.running) return this.latest;
    const check = this.refresh();
    if (!Number.isFinite(waitMs)) return check;
    return within(check, waitMs, () => this.latest);
  }

  refresh(): Promise<GithubAccess> {
    if (!this.check) return Promise.resolve(this.fixed);
    this.running ??= this.check()
      .then((access) => {
        this.report(this.latest, access);
        this.latest = access;
        this.latestAtMs = Date.now();
        return access;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** One line when the state changes (and at the first check), not on every probe. */
  private report(before: GithubAccess, after: GithubAccess): void {
    if (this.shutdown.aborted || (before.state === after.state && before.message === after.message)) return;
    if (after.state === 'ok') this.logger.log(`GitHub access: ${after.message}`);
    else
      this.logger.error(
        `GitHub access check failed: ${after.message} Content editing keeps working; deploys will fail until this is fixed.`,
      );
  }
}
