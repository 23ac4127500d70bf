import fc from 'fast-check';
import { fireAt, retryDelay } from './schedule';

/** A simple model: a burst of changes at increasing times; the deploy must fire after the quiet window or at the cap. */
describe('fireAt (debounce with a max-wait cap)', () => {
  const times = fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 50 }).map((gaps) => {
    let t = 1_000_000;
    return gaps.map((gap) => (t += gap));
  });
  const windows = fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 50_000 })).map(([debounce, extra]) => ({ debounce, maxWait: debounce + extra }));

  it('never fires before the quiet window unless the cap is reached, and never later than the cap', () => {
    fc.assert(
      fc.property(times, windows, (changes, { debounce, maxWait }) => {
        const first = changes[0];
        const last = changes[changes.length - 1];
        const at = fireAt(first, last, debounce, maxWait);
        expect(at).toBeLessThanOrEqual(first + maxWait);
        expect(at).toBeLessThanOrEqual(last + debounce);
        expect(at === last + debounce || at === first + maxWait).toBe(true);
      }),
    );
  });

  it('only moves later as changes arrive (so a wake-up set for an earlier time is never too late)', () => {
    fc.assert(
      fc.property(times, windows, (changes, { debounce, maxWait }) => {
        const first = changes[0];
        let previous = -Infinity;
        for (const t of changes) {
          const at = fireAt(first, t, debounce, maxWait);
          expect(at).toBeGreaterThanOrEqual(previous);
          previous = at;
        }
      }),
    );
  });

  it('model: replaying a burst gives one dispatch, at the rule time', () => {
    fc.assert(
      fc.property(times, windows, (changes, { debounce, maxWait }) => {
        // Model: walk time forward; a dispatch happens at the first instant no new change is due before the deadline.
        const first = changes[0];
        let deadline = first + Math.min(debounce, maxWait);
        for (const t of changes.slice(1)) {
          if (t > deadline) break;
          deadline = Math.min(t + debounce, first + maxWait);
        }
        const inWindow = changes.filter((t) => t <= deadline);
        expect(fireAt(first, inWindow[inWindow.length - 1], debounce, maxWait)).toBe(deadline);
      }),
    );
  });
});

describe('retryDelay', () => {
  it('grows exponentially from the base, within ±20% jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (retry, baseMs, random) => {
        const delay = retryDelay({ retry, baseMs, random });
        const nominal = baseMs * 2 ** (retry - 1);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.ceil(nominal * 1.2));
      }),
    );
  });

  it("never retries sooner than GitHub's Retry-After", () => {
    expect(retryDelay({ retry: 1, baseMs: 100, retryAfterMs: 60_000, random: 0.5 })).toBe(60_000);
    expect(retryDelay({ retry: 3, baseMs: 100, random: 0.5 })).toBe(400);
  });
});
