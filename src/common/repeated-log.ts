import { Logger } from '@nestjs/common';

/** How long the same message stays quiet after it was logged. */
export const REPEAT_WINDOW_MS = 10_000;

type Seen = Map<string, { at: number; held: number }>;

/** Shared by every RepeatedLog of the process: the same key seen by several classes is still logged once. */
const PROCESS_WIDE: Seen = new Map();

/**
 * Logs a warning at most once per REPEAT_WINDOW_MS for the same key, saying how many repeats were held back:
 * a Redis that answers every command with the same error must not fill the disk with the same line.
 */
export class RepeatedLog {
  constructor(
    private readonly logger: Logger,
    private readonly windowMs = REPEAT_WINDOW_MS,
    private readonly clock: () => number = Date.now,
    private readonly lastLogged: Seen = PROCESS_WIDE,
  ) {}

  /**
   * `key` groups messages that say the same thing (defaults to the message): every part of the service that
   * finds Redis unreachable uses one key, so the process logs that once per window, not once per loop.
   */
  warn(message: string, key = message): void {
    const now = this.clock();
    const last = this.lastLogged.get(key);
    if (last !== undefined && now - last.at < this.windowMs) {
      last.held++;
      return;
    }
    const repeats = last?.held
      ? ` (repeated ${last.held} more time(s) in the last ${Math.round((now - last.at) / 1000)} s)`
      : '';
    if (this.lastLogged.size > 100) this.lastLogged.clear();
    this.lastLogged.set(key, { at: now, held: 0 });
    this.logger.warn(message + repeats);
  }
}
