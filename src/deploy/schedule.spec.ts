import fc from 'fast-check';
import { retryDelay, snapshotLeadMs, wakeLeadMs } from './schedule';

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

describe('snapshotLeadMs', () => {
  const debounce = fc.integer({ min: 0, max: 86_400_000 });
  const lastSnapshot = fc.integer({ min: 0, max: 600_000 });

  it('is 1 s, or half as much again as the last snapshot took when that is longer, within half the quiet window', () => {
    fc.assert(
      fc.property(debounce, lastSnapshot, (debounceMs, lastMs) => {
        const lead = snapshotLeadMs(debounceMs, lastMs);
        const halfWindow = Math.floor(debounceMs / 2);
        expect(lead).toBeLessThanOrEqual(halfWindow);
        expect(wakeLeadMs(debounceMs)).toBeGreaterThanOrEqual(lead); // the job is queued early enough for it
        expect(lead).toBeGreaterThanOrEqual(Math.min(halfWindow, 1_000));
        // Room for the last snapshot's duration and half as much again, whenever the quiet window allows it.
        expect(lead).toBeGreaterThanOrEqual(Math.min(halfWindow, lastMs * 1.5));
        if (lead > 1_000 && lead < halfWindow) expect(lead).toBe(Math.ceil(lastMs * 1.5));
      }),
    );
  });

  it('never shrinks as the last snapshot grows', () => {
    fc.assert(
      fc.property(debounce, lastSnapshot, lastSnapshot, (debounceMs, a, b) => {
        const [shorter, longer] = a <= b ? [a, b] : [b, a];
        expect(snapshotLeadMs(debounceMs, shorter)).toBeLessThanOrEqual(snapshotLeadMs(debounceMs, longer));
      }),
    );
  });

  it('keeps the former fixed lead until a snapshot takes longer than about 0.67 s', () => {
    expect(snapshotLeadMs(30_000)).toBe(1_000);
    expect(snapshotLeadMs(30_000, 600)).toBe(1_000);
    expect(snapshotLeadMs(1_000, 3_000)).toBe(500);
    expect(snapshotLeadMs(30_000, 3_000)).toBe(4_500);
    expect(snapshotLeadMs(30_000, 60_000)).toBe(15_000);
  });
});
