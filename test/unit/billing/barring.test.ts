import { describe, expect, it } from 'vitest';
import type { CallBarring } from '../../../shared/billing/barring';
import { barredBy, outsideCallScopes } from '../../../shared/billing/barring';
import { classifyNumber } from '../../../shared/numbering/classify';

const classify = (dialed: string) => classifyNumber({ dialed, callerCountry: 'FR' });
const rule = (dialed: string, barring: Partial<CallBarring>) => barredBy(classify(dialed), { premiumBarred: false, scope: 'all', countries: [], ...barring });

describe('barredBy (the rule authorize and the quote share)', () => {
  it('never bars emergency, internal, included or toll-free calls, whatever the settings', () => {
    for (const scope of outsideCallScopes) {
      for (const dialed of ['112', '15', '1002', '01 42 68 53 00', '+44 20 7946 0000', '0800 123 456']) {
        expect(rule(dialed, { scope, countries: scope === 'countries' ? ['US'] : [], premiumBarred: true }), `${scope} ${dialed}`).toBeNull();
      }
    }
  });

  it('plan only bars every wallet call; countries bars wallet calls elsewhere, and those with no country', () => {
    expect(rule('+1 212 555 0100', { scope: 'plan' })).toBe('plan_only');
    expect(rule('+1 212 555 0100', { scope: 'countries', countries: ['US'] })).toBeNull();
    expect(rule('0012125550100', { scope: 'countries', countries: ['GB'] })).toBe('country');
    expect(rule('+881 6 1234 5678', { scope: 'countries', countries: ['US', 'GB'] })).toBe('country');
    expect(rule('+1 212 555 0100', { scope: 'all' })).toBeNull();
  });

  it('keeps premium barring independent and first', () => {
    expect(rule('0899 123 456', { premiumBarred: true, scope: 'countries', countries: ['FR'] })).toBe('paid_service');
    expect(rule('0899 123 456', { premiumBarred: false, scope: 'countries', countries: ['FR'] })).toBeNull();
    expect(rule('3615', { premiumBarred: true })).toBe('paid_service');
    expect(rule('3615', { scope: 'plan' })).toBe('plan_only');
  });
});
