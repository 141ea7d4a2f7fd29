import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { callRefusalSchema, callVerdictSchema } from '../../../shared/api/rate-schemas';
import type { CallBarring } from '../../../shared/billing/barring';
import type { CallFacts, CallRefusal, CallVerdict } from '../../../shared/billing/call-policy';
import { callRefusals, confirmationFor, decideCall, fundCall, fundsLeft, isPremiumKind, refusalBeforeFunds } from '../../../shared/billing/call-policy';
import type { CurrencyCode } from '../../../shared/money/currency';
import { classifyNumber, numberKinds, paidServiceKinds } from '../../../shared/numbering/classify';
import type { Tariff } from '../../../shared/rating/tariff';
import { callCostMinor, maxFundedSeconds, maxRateUnits } from '../../../shared/rating/tariff';

const classify = (dialed: string) => classifyNumber({ dialed, callerCountry: 'FR' });
const open: CallBarring = { premiumBarred: false, scope: 'all', countries: [] };
/** Satellite: 2.99 EUR a minute, per second. */
const satelliteRate: Tariff = { pricePerMinute: 29_900, connectionFee: 0, increment: { first: 1, next: 1 } };
const maxCallSeconds = 14_400;

/** A paid, high-risk, paid-service number that every rule passes. */
const passing: CallFacts = {
  classification: classify('+881 6 1234 5678'),
  caller: { barring: open },
  highRiskAllowed: true,
  rate: satelliteRate,
  availableMinor: 1000,
  dailyCapLeftMinor: null,
  currency: 'EUR',
  maxCallSeconds,
};

/** For each refusal, in the policy's order, the facts that make its rule refuse. */
const failing: Record<CallRefusal, Partial<CallFacts>> = {
  unknown_caller: { caller: null },
  invalid: { classification: classify('12ab') },
  class_blocked: { highRiskAllowed: false },
  barred: { caller: { barring: { ...open, premiumBarred: true } } },
  no_rate: { rate: null },
  insufficient_funds: { availableMinor: 0 },
  daily_cap: { dailyCapLeftMinor: 0 },
  monthly_budget: { budgetLeftMinor: 0 },
};

/** Facts where exactly the rules in `refusing` refuse. unknown_caller and barred both set `caller`: null wins. */
function factsWith(refusing: readonly CallRefusal[]): CallFacts {
  let facts: CallFacts = passing;
  for (const reason of callRefusals) {
    if (!refusing.includes(reason)) continue;
    if (reason === 'barred' && facts.caller === null) continue;
    facts = { ...facts, ...failing[reason] };
  }
  return facts;
}

function refusalOf(verdict: CallVerdict): CallRefusal | null {
  return verdict.allowed ? null : verdict.reason;
}

describe('the refusal rules, in order', () => {
  it('lists the refusals in authorize\'s order', () => {
    expect(callRefusals).toEqual(['unknown_caller', 'invalid', 'class_blocked', 'barred', 'no_rate', 'insufficient_funds', 'daily_cap', 'monthly_budget']);
  });

  it('allows the call when no rule refuses', () => {
    expect(decideCall(passing)).toEqual({ allowed: true, charged: true, confirm: 'premium', maxDurationSeconds: 200 });
  });

  for (const [position, reason] of callRefusals.entries()) {
    const earlier = callRefusals.slice(0, position);
    const later = callRefusals.slice(position + 1);
    it(`${reason}: refuses alone, wins over every later rule, loses to every earlier one`, () => {
      expect(refusalOf(decideCall(factsWith([reason])))).toBe(reason);
      expect(refusalOf(decideCall(factsWith([reason, ...later])))).toBe(reason);
      for (const next of later) expect(refusalOf(decideCall(factsWith([reason, next]))), `${reason} + ${next}`).toBe(reason);
      for (const before of earlier) expect(refusalOf(decideCall(factsWith([before, reason]))), `${before} + ${reason}`).toBe(before);
    });
  }

  it('answers the first refusing rule for every combination of refusing rules', () => {
    for (let mask = 0; mask < 1 << callRefusals.length; mask += 1) {
      const refusing = callRefusals.filter((_, bit) => (mask & (1 << bit)) !== 0);
      expect(refusalOf(decideCall(factsWith(refusing))), refusing.join(' + ')).toBe(refusing[0] ?? null);
    }
  });

  it('splits into the rules before money and the funding, which agree with the whole decision', () => {
    for (const reason of callRefusals) {
      const facts = factsWith([reason]);
      const before = refusalBeforeFunds(facts);
      const funded = before === null && facts.rate ? fundCall(facts.rate, facts).refusal : null;
      expect(before ?? funded).toBe(reason);
    }
    expect(refusalBeforeFunds(passing)).toBeNull();
  });

  it('allows emergency numbers whatever else is true: never charged, nothing to confirm', () => {
    const everything = factsWith(callRefusals.filter((reason) => reason !== 'invalid'));
    for (const dialed of ['112', '15', '17', '18']) {
      expect(decideCall({ ...everything, classification: classify(dialed) })).toEqual({ allowed: true, charged: false, confirm: 'none', maxDurationSeconds: maxCallSeconds });
    }
    expect(refusalBeforeFunds({ ...everything, classification: classify('112') })).toBeNull();
  });

  it('allows calls that do not touch the wallet without rate or funds, whatever the barring', () => {
    const broke = { ...passing, rate: null, availableMinor: 0, dailyCapLeftMinor: 0, highRiskAllowed: false, caller: { barring: { premiumBarred: true, scope: 'plan' as const, countries: [] } } };
    for (const dialed of ['1002', '01 42 68 53 00', '0800 123 456']) {
      expect(decideCall({ ...broke, classification: classify(dialed) }), dialed).toEqual({ allowed: true, charged: false, confirm: 'none', maxDurationSeconds: maxCallSeconds });
    }
    expect(refusalOf(decideCall({ ...broke, classification: classify('1002'), caller: null }))).toBe('unknown_caller');
  });

  it('refuses a wallet call the caller\'s country list leaves out as barred', () => {
    const countries = { ...passing, classification: classify('+1 212 555 0100'), caller: { barring: { premiumBarred: false, scope: 'countries' as const, countries: ['GB'] } } };
    expect(decideCall(countries)).toEqual({ allowed: false, reason: 'barred' });
  });
});

describe('what the app must confirm', () => {
  it('asks nothing for free calls, "paid" for ordinary wallet calls, "premium" for paid services and high cost', () => {
    const cases: Array<[string, 'none' | 'paid' | 'premium']> = [
      ['112', 'none'], ['1002', 'none'], ['01 42 68 53 00', 'none'], ['0800 123 456', 'none'],
      ['+1 212 555 0100', 'paid'], ['+81 3 1234 5678', 'paid'],
      ['0899 123 456', 'premium'], ['118712', 'premium'], ['0810 123 456', 'premium'], ['+881 6 1234 5678', 'premium'], ['3615', 'premium'],
    ];
    for (const [dialed, confirm] of cases) expect(confirmationFor(classify(dialed)), dialed).toBe(confirm);
  });

  it('carries the confirmation in an allowed paid verdict', () => {
    expect(decideCall({ ...passing, classification: classify('+1 212 555 0100') })).toMatchObject({ allowed: true, charged: true, confirm: 'paid' });
  });

  it('calls premium exactly the paid-service kinds that barring covers', () => {
    for (const kind of numberKinds) expect(isPremiumKind(kind), kind).toBe(paidServiceKinds.has(kind));
  });
});

describe('funding: the wallet first, then the daily cap', () => {
  it('refuses insufficient_funds when the wallet funds nothing, whatever the cap (the quote used to say daily_cap when the cap was lower)', () => {
    expect(fundCall(satelliteRate, { ...passing, availableMinor: 0, dailyCapLeftMinor: 0 }).refusal).toBe('insufficient_funds');
    expect(fundCall(satelliteRate, { ...passing, availableMinor: 10_000, dailyCapLeftMinor: 0 }).refusal).toBe('daily_cap');
    expect(fundCall(satelliteRate, { ...passing, availableMinor: 0, dailyCapLeftMinor: 10_000 }).refusal).toBe('insufficient_funds');
  });

  it('funds the shorter of what the wallet and the cap pay for', () => {
    expect(fundCall(satelliteRate, { ...passing, availableMinor: 10_000, dailyCapLeftMinor: 50 })).toEqual({ refusal: null, maxDurationSeconds: 10, reservedMinor: 50 });
    expect(fundCall(satelliteRate, { ...passing, availableMinor: 50, dailyCapLeftMinor: 10_000 })).toEqual({ refusal: null, maxDurationSeconds: 10, reservedMinor: 50 });
    expect(fundCall(satelliteRate, { ...passing, availableMinor: 1_000_000 }).maxDurationSeconds).toBe(maxCallSeconds);
  });

  it('sets aside the other calls\' reservations from the wallet and the cap, never below zero', () => {
    expect(fundsLeft({ balanceMinor: 1000, otherReservedMinor: 300, dailyCapMinor: 5000, spentTodayMinor: 4500 })).toEqual({ availableMinor: 700, dailyCapLeftMinor: 200 });
    expect(fundsLeft({ balanceMinor: 100, otherReservedMinor: 300, dailyCapMinor: 5000, spentTodayMinor: 5000 })).toEqual({ availableMinor: 0, dailyCapLeftMinor: 0 });
    expect(fundsLeft({ balanceMinor: 100, otherReservedMinor: 0, dailyCapMinor: null, spentTodayMinor: 99_999 })).toEqual({ availableMinor: 100, dailyCapLeftMinor: null });
  });

  const currencies: readonly CurrencyCode[] = ['EUR', 'USD', 'GBP', 'JPY', 'SEK'];
  const tariffArb = fc.record({
    pricePerMinute: fc.integer({ min: 0, max: maxRateUnits }),
    connectionFee: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxRateUnits })),
    increment: fc.record({ first: fc.integer({ min: 1, max: 3600 }), next: fc.integer({ min: 1, max: 3600 }) }),
  });
  const fundingArb = fc.record({
    availableMinor: fc.integer({ min: -1000, max: 10_000_000 }),
    dailyCapLeftMinor: fc.option(fc.integer({ min: -1000, max: 10_000_000 }), { nil: null }),
    budgetLeftMinor: fc.option(fc.integer({ min: -1000, max: 10_000_000 }), { nil: null }),
    currency: fc.constantFrom(...currencies),
    maxCallSeconds: fc.integer({ min: 0, max: 4 * 14_400 }),
  });

  it('never funds more than the wallet or the cap holds; one more increment would cost too much unless capped; reserves the cost of the maximum', () => {
    fc.assert(
      fc.property(tariffArb, fundingArb, (tariff, funding) => {
        const funded = fundCall(tariff, funding);
        const limit = Math.max(0, Math.min(funding.availableMinor, funding.dailyCapLeftMinor ?? funding.availableMinor, funding.budgetLeftMinor ?? funding.availableMinor));
        const max = funded.maxDurationSeconds;
        expect(Number.isSafeInteger(max) && max >= 0).toBe(true);
        expect(max).toBeLessThanOrEqual(funding.maxCallSeconds);
        expect(funded.reservedMinor).toBe(callCostMinor(tariff, max, funding.currency));
        expect(funded.reservedMinor).toBeLessThanOrEqual(limit);
        // The next billing boundary after the maximum (the first block when nothing is funded).
        const next = max === 0 ? tariff.increment.first : max + tariff.increment.next;
        if (next <= funding.maxCallSeconds) expect(callCostMinor(tariff, next, funding.currency)).toBeGreaterThan(limit);
        expect(funded.refusal !== null).toBe(max === 0);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses daily_cap only when the wallet alone would fund the call', () => {
    fc.assert(
      fc.property(tariffArb, fundingArb, (tariff, funding) => {
        const walletAlone = maxFundedSeconds(tariff, Math.max(0, funding.availableMinor), funding.currency, funding.maxCallSeconds);
        const { refusal } = fundCall(tariff, { ...funding, budgetLeftMinor: null });
        if (walletAlone === 0) expect(refusal).toBe('insufficient_funds');
        else expect(refusal === 'daily_cap').toBe(fundCall(tariff, { ...funding, availableMinor: funding.dailyCapLeftMinor ?? funding.availableMinor, budgetLeftMinor: null }).refusal !== null);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses monthly_budget only when the wallet and the daily cap alone would fund the call', () => {
    fc.assert(
      fc.property(tariffArb, fundingArb, (tariff, funding) => {
        const withoutBudget = fundCall(tariff, { ...funding, budgetLeftMinor: null });
        const { refusal } = fundCall(tariff, funding);
        // The wallet and the cap decide first; the budget never changes their refusal.
        if (withoutBudget.refusal !== null) expect(refusal).toBe(withoutBudget.refusal);
        else {
          const budgetAlone = maxFundedSeconds(tariff, Math.max(0, funding.budgetLeftMinor ?? Number.MAX_SAFE_INTEGER), funding.currency, funding.maxCallSeconds);
          expect(refusal === 'monthly_budget').toBe(funding.budgetLeftMinor !== null && budgetAlone === 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('funds the shortest of the wallet, the cap and the budget; no budget (null or absent) changes nothing', () => {
    expect(fundCall(satelliteRate, { ...passing, availableMinor: 10_000, dailyCapLeftMinor: 5000, budgetLeftMinor: 50 })).toEqual({ refusal: null, maxDurationSeconds: 10, reservedMinor: 50 });
    expect(fundCall(satelliteRate, { ...passing, availableMinor: 10_000, dailyCapLeftMinor: 50, budgetLeftMinor: 5000 })).toEqual({ refusal: null, maxDurationSeconds: 10, reservedMinor: 50 });
    expect(fundCall(satelliteRate, { ...passing, availableMinor: 0, budgetLeftMinor: 0 }).refusal).toBe('insufficient_funds');
    expect(fundCall(satelliteRate, { ...passing, dailyCapLeftMinor: 0, budgetLeftMinor: 0 }).refusal).toBe('daily_cap');
    expect(fundCall(satelliteRate, { ...passing, budgetLeftMinor: 4 }).refusal).toBe('monthly_budget');
    expect(fundCall(satelliteRate, { ...passing, budgetLeftMinor: null })).toEqual(fundCall(satelliteRate, passing));
  });

  it('gives a charged verdict the funded maximum', () => {
    fc.assert(
      fc.property(tariffArb, fundingArb, (tariff, funding) => {
        const verdict = decideCall({ ...passing, ...funding, rate: tariff });
        const funded = fundCall(tariff, funding);
        expect(verdict).toEqual(funded.refusal === null
          ? { allowed: true, charged: true, confirm: 'premium', maxDurationSeconds: funded.maxDurationSeconds }
          : { allowed: false, reason: funded.refusal });
      }),
      { numRuns: 200 },
    );
  });
});

describe('the verdict on the wire (quote)', () => {
  it('has the schema of the policy\'s verdict type', () => {
    expectTypeOf<z.infer<typeof callVerdictSchema>>().toEqualTypeOf<{ allowed: true; charged: boolean; confirm: 'none' | 'paid' | 'premium'; maxDurationSeconds: number } | { allowed: false; reason: CallRefusal }>();
    expect([...callRefusalSchema.options].sort()).toEqual([...callRefusals].sort());
  });

  it('parses every verdict the policy gives', () => {
    for (const reason of callRefusals) expect(callVerdictSchema.parse(decideCall(factsWith([reason])))).toEqual({ allowed: false, reason });
    expect(callVerdictSchema.parse(decideCall(passing))).toEqual(decideCall(passing));
    expect(callVerdictSchema.safeParse({ allowed: false, reason: 'released' }).success).toBe(false);
    expect(callVerdictSchema.safeParse({ allowed: true, charged: false, confirm: 'none', maxDurationSeconds: 1, reason: 'x' }).success).toBe(false);
  });
});
