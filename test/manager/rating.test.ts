import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  billedSeconds, callCostMinor, findRate, indexRateDeck, maxFundedSeconds, minutesAffordable, parseRateDeck, RateDeckError,
  ratesForCountry,
} from '../../shared/rating';
import type { Tariff } from '../../shared/rating';

const tariff = (pricePerMinute: number, connectionFee: number, first: number, next: number): Tariff => ({
  pricePerMinute, connectionFee, increment: { first, next },
});

const tariffs = fc
  .record({
    pricePerMinute: fc.integer({ min: 0, max: 50_000 }),
    connectionFee: fc.integer({ min: 0, max: 10_000 }),
    first: fc.integer({ min: 1, max: 120 }),
    next: fc.integer({ min: 1, max: 60 }),
  })
  .map((t) => tariff(t.pricePerMinute, t.connectionFee, t.first, t.next));
const seconds = fc.integer({ min: 0, max: 4 * 3600 });

describe('billing increments', () => {
  it('bills the first block, then started next blocks', () => {
    expect(billedSeconds(0, { first: 60, next: 60 })).toBe(0);
    expect(billedSeconds(1, { first: 60, next: 60 })).toBe(60);
    expect(billedSeconds(61, { first: 60, next: 60 })).toBe(120);
    expect(billedSeconds(31, { first: 30, next: 6 })).toBe(36);
    expect(billedSeconds(95, { first: 30, next: 6 })).toBe(96);
  });
});

describe('cost formula', () => {
  it('matches the worked examples of docs/rating.md', () => {
    // 0.0230 EUR/min, no fee, 60/60, 61 s → 2 minutes → 0.046 → rounded up to 0.05 EUR.
    expect(callCostMinor(tariff(230, 0, 60, 60), 61, 'EUR')).toBe(5);
    // 0.1500 EUR/min, 0.0500 EUR fee, 30/6, 95 s → 96 s → 0.05 + 0.24 = 0.29 EUR.
    expect(callCostMinor(tariff(1500, 500, 30, 6), 95, 'EUR')).toBe(29);
    // 2.9900 EUR/min satellite, 1/1, 10 s → 0.49833 → 0.50 EUR.
    expect(callCostMinor(tariff(29_900, 0, 1, 1), 10, 'EUR')).toBe(50);
    // Unanswered calls cost nothing, connection fee included.
    expect(callCostMinor(tariff(1500, 500, 30, 6), 0, 'EUR')).toBe(0);
  });

  it('is never below the exact price and never a whole cent above it', () => {
    fc.assert(
      fc.property(tariffs, seconds, (t, s) => {
        const cost = BigInt(callCostMinor(t, s, 'EUR'));
        const billed = BigInt(billedSeconds(s, t.increment));
        // exact price in rate units × 60 (1 cent = 100 rate units).
        const exact60 = billed === 0n ? 0n : BigInt(t.connectionFee) * 60n + BigInt(t.pricePerMinute) * billed;
        expect(cost * 6000n >= exact60).toBe(true);
        expect((cost - 1n) * 6000n < exact60 || cost === 0n).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('never decreases when the call gets longer', () => {
    fc.assert(fc.property(tariffs, seconds, seconds, (t, a, b) => {
      const [short, long] = a <= b ? [a, b] : [b, a];
      expect(callCostMinor(t, short, 'EUR')).toBeLessThanOrEqual(callCostMinor(t, long, 'EUR'));
    }));
  });

  it('funds exactly the longest affordable call', () => {
    fc.assert(
      fc.property(tariffs, fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 4 * 3600 }), (t, available, cap) => {
        const max = maxFundedSeconds(t, available, 'EUR', cap);
        expect(max).toBeLessThanOrEqual(cap);
        if (max > 0) expect(callCostMinor(t, max, 'EUR')).toBeLessThanOrEqual(available);
        // One second more is either unaffordable or beyond the cap's last billing boundary.
        if (callCostMinor(t, max + 1, 'EUR') <= available) expect(billedSeconds(max + 1, t.increment)).toBeGreaterThan(cap);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps integer results for huge balances without overflow', () => {
    const max = maxFundedSeconds(tariff(1, 0, 1, 1), Number.MAX_SAFE_INTEGER, 'EUR', 14_400);
    expect(max).toBe(14_400);
    expect(minutesAffordable(tariff(230, 0, 60, 60), 1000, 'EUR', 14_400)).toBe(240);
    expect(() => callCostMinor(tariff(230, 0, 60, 60), 1.5, 'EUR')).toThrow(RangeError);
    expect(() => callCostMinor(tariff(-1, 0, 60, 60), 1, 'EUR')).toThrow(RangeError);
  });
});

const deckCsv = `# SAMPLE deck version=test-1
prefix,destination,country,number_type,price_per_minute,connection_fee,increment,currency
44,United Kingdom,GB,landline,0.0200,0.0000,60/60,EUR
447,United Kingdom - Mobile,GB,mobile,0.0900,0.0000,60/60,EUR
4477,"United Kingdom - Mobile, special",GB,mobile,0.1200,0.0100,30/6,EUR
FR:118,France - Directory,FR,directory,1.5000,0.9000,60/60,EUR
`;

describe('rate deck', () => {
  it('parses, versions and matches the longest prefix', () => {
    const deck = parseRateDeck(deckCsv, 'abcdef0123456789');
    expect(deck.version).toBe('test-1+abcdef012345');
    const index = indexRateDeck(deck);
    expect(findRate(index, '442079460000')?.prefix).toBe('44');
    expect(findRate(index, '447700900123')?.prefix).toBe('4477');
    expect(findRate(index, '447100900123')?.prefix).toBe('447');
    expect(findRate(index, 'FR:118712')?.pricePerMinute).toBe(15_000);
    expect(findRate(index, '33612345678')).toBeNull();
    expect(ratesForCountry(index, 'GB').map((row) => row.destination)).toContain('United Kingdom - Mobile, special');
  });

  it('reports every bad line at once', () => {
    const bad = `prefix,destination,country,number_type,price_per_minute,connection_fee,increment,currency
0044,X,GB,landline,0.02,0,60/60,EUR
44,X,gb,landline,-1,0,60/60,EUR
45,X,DK,fax,0.02,0,60/0,EUR
46,X,SE,landline,0.02,0,60/60,USD
46,X,SE,landline,0.02,0,60/60,EUR
`;
    try {
      parseRateDeck(bad, 'x');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RateDeckError);
      const lines = (error as RateDeckError).issues.map((issue) => issue.line);
      expect(new Set(lines)).toEqual(new Set([2, 3, 4, 5]));
    }
    expect(() => parseRateDeck('', 'x')).toThrow(RateDeckError);
  });
});
