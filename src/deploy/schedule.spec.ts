import fc from 'fast-check';
import { retryDelay } from './schedule';

describe('retryDelay', () => {
  it('grows exponentially from the base, within ±20% jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (retry, baseMs, random) => {
          const delay = retryDelay({ retry, baseMs, random });
          const nominal = baseMs * 2 ** (retry - 1);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal * 0.8));
          expect(delay).toBeLessThanOrEqual(Math.ceil(nominal * 1.2));
        },
      ),
    );
  });

  it("never retries sooner than GitHub's Retry-After", () => {
    expect(retryDelay({ retry: 1, baseMs: 100, retryAfterMs: 60_000, random: 0.5 })).toBe(60_000);
    expect(retryDelay({ retry: 3, baseMs: 100, random: 0.5 })).toBe(400);
  });
});
