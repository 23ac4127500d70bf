/**
 * A background pass run every `intervalMs` (and, with `runNow`, once at start), never two at once in this
 * process: a tick that finds the previous pass still running is skipped. `stop()` ends the ticking and waits for
 * the pass in progress, so shutdown never cuts one in half. Used by the reconcile pass, the scheduled-publication
 * catch-up and the run poller.
 */
export class PeriodicPass {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly intervalMs: number,
    private readonly pass: () => Promise<unknown>,
    private readonly onError: (error: Error) => void,
  ) {}

  start({ runNow }: { runNow: boolean }): void {
    if (runNow) this.trigger();
    this.timer = setInterval(() => this.trigger(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private trigger(): void {
    this.running ??= this.pass()
      .then(() => undefined)
      .catch((error: Error) => this.onError(error))
      .finally(() => (this.running = undefined));
  }
}
