/**
 * Per-employee monthly budgets: an admin gives a user a most-they-may-spend on calls per calendar month,
 * and the call policy (`fundCall` in call-policy.ts, refusal `monthly_budget`) funds no call past it. The
 * month is the UTC calendar month, as the daily cap's day is the UTC day (docs/money-flow.md, "Monthly
 * budgets"): one clock for every limit, whatever zone the manager or the app runs in. Pure; money in
 * integer minor units.
 */

/** The largest budget an admin may set (minor units): 1,000,000.00 in a two-decimal currency. */
export const maxMonthlyBudgetMinor = 100_000_000;

/** The first millisecond (epoch ms) of the UTC calendar month that holds `now`. */
export function startOfUtcMonth(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** The first millisecond of the next UTC calendar month: when a spent budget is whole again. */
export function startOfNextUtcMonth(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/**
 * What the caller's budget leaves for one more call: `budget − charged this month − the caller's other
 * calls in progress`, never below 0; null when the caller has no budget. The other calls' reservations
 * count as the daily cap counts them, so two calls at once cannot each spend the whole budget.
 */
export function budgetLeft(args: {
  readonly budgetMinor: number | null;
  /** The caller's call charges since the start of the UTC month (`startOfUtcMonth`). */
  readonly spentThisMonthMinor: number;
  /** Every other active reservation of the same caller. */
  readonly userOtherReservedMinor: number;
}): number | null {
  if (args.budgetMinor === null) return null;
  return Math.max(0, args.budgetMinor - args.spentThisMonthMinor - args.userOtherReservedMinor);
}
