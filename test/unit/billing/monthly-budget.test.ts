import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetLeft, startOfNextUtcMonth, startOfUtcMonth } from '../../../shared/billing/monthly-budget';

describe('the monthly budget', () => {
  it('counts the UTC calendar month, whatever the local zone', () => {
    expect(startOfUtcMonth(Date.UTC(2026, 11, 2, 13, 37))).toBe(Date.UTC(2026, 11, 1));
    expect(startOfNextUtcMonth(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe(Date.UTC(2027, 0, 1));
    expect(startOfUtcMonth(Date.UTC(2028, 1, 29, 23, 0))).toBe(Date.UTC(2028, 1, 1));
    // The last millisecond of a month still belongs to it; the next one starts the next month.
    expect(startOfUtcMonth(Date.UTC(2027, 0, 1) - 1)).toBe(Date.UTC(2026, 11, 1));
  });

  it('holds every instant inside its month', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (now) => {
      expect(startOfUtcMonth(now)).toBeLessThanOrEqual(now);
      expect(startOfNextUtcMonth(now)).toBeGreaterThan(now);
      expect(new Date(startOfUtcMonth(now)).getUTCDate()).toBe(1);
    }), { numRuns: 300 });
  });

  it('leaves the budget minus this month\'s charges and the caller\'s other calls, never below 0; null without a budget', () => {
    expect(budgetLeft({ budgetMinor: 5000, spentThisMonthMinor: 1200, userOtherReservedMinor: 300 })).toBe(3500);
    expect(budgetLeft({ budgetMinor: 5000, spentThisMonthMinor: 4900, userOtherReservedMinor: 300 })).toBe(0);
    expect(budgetLeft({ budgetMinor: null, spentThisMonthMinor: 99_999, userOtherReservedMinor: 0 })).toBeNull();
  });
});
