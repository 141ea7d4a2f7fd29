import { describe, expect, it } from 'vitest';
import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import { readMeter } from '../../../renderer/src/wallet/paid-call-meter.js';
import { formatMoney, formatRate } from '../../../renderer/src/wallet/wallet-format.js';

// Intl separates French amounts with a narrow no-break space; compare with plain spaces.
const plain = (text: string): string => text.replace(/[\u00a0\u202f]/g, ' ');

describe('money for people, in both locales', () => {
  it('formats balances', () => {
    expect(plain(formatMoney(2500, 'EUR', 'fr'))).toBe('25,00 €');
    expect(plain(formatMoney(2500, 'EUR', 'en'))).toBe('€25.00');
    expect(plain(formatMoney(123456789, 'EUR', 'fr'))).toBe('1 234 567,89 €');
    expect(plain(formatMoney(-2500, 'EUR', 'en'))).toBe('-€25.00');
    expect(plain(formatMoney(0, 'EUR', 'fr'))).toBe('0,00 €');
    expect(plain(formatMoney(1500, 'JPY', 'en'))).toBe('¥1,500');
  });

  it('formats rates with the digits they need, never rounding a price away', () => {
    expect(plain(formatRate('0.0220', 'EUR', 'fr'))).toBe('0,022 €');
    expect(plain(formatRate('0.0220', 'EUR', 'en'))).toBe('€0.022');
    expect(plain(formatRate('0.9600', 'EUR', 'fr'))).toBe('0,96 €');
    expect(plain(formatRate('0.0005', 'EUR', 'en'))).toBe('€0.0005');
  });
});

describe('paid-call meter', () => {
  const quote: QuoteResponse = {
    number: '+16502530000', e164: '+16502530000', kind: 'international', billing: 'wallet', country: 'US',
    rate: { prefix: '1', destination: 'United States', country: 'US', numberType: 'landline', pricePerMinute: { units: 6000, decimal: '0.6000' }, connectionFee: { units: 0, decimal: '0.0000' }, increment: '60/60' },
    currency: 'EUR', balanceMinor: 120, minutesAffordable: 2, costOfFirstMinuteMinor: 60, warnings: [],
    verdict: { allowed: true, charged: true, confirm: 'paid', maxDurationSeconds: 14_400 },
  };

  it('charges like the manager and counts down the time the balance pays for', () => {
    expect(readMeter(quote, 0)).toEqual({ costMinor: 0, secondsLeft: 120, warning: false });
    expect(readMeter(quote, 10)).toEqual({ costMinor: 60, secondsLeft: 110, warning: false });
    expect(readMeter(quote, 59.9)).toEqual({ costMinor: 60, secondsLeft: 61, warning: false });
  });

  it('warns one minute before the funds run out', () => {
    expect(readMeter(quote, 60).warning).toBe(true);
    expect(readMeter(quote, 60).secondsLeft).toBe(60);
    expect(readMeter(quote, 200)).toEqual({ costMinor: 240, secondsLeft: 0, warning: true });
  });

  it('has nothing to count without a rate', () => {
    expect(readMeter({ ...quote, rate: null }, 30)).toEqual({ costMinor: 0, secondsLeft: null, warning: false });
  });
});
