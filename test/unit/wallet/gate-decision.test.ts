import { describe, expect, it } from 'vitest';
import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import { managerFailure, managerOk } from '../../../shared/manager-link/manager-result.js';
import { classifyNumber } from '../../../shared/numbering/classify.js';
import { decideGate } from '../../../renderer/src/wallet/gate-decision.js';

const usRate = {
  prefix: '1', destination: 'United States', country: 'US', numberType: 'landline' as const,
  pricePerMinute: { units: 220, decimal: '0.0220' }, connectionFee: { units: 0, decimal: '0.0000' }, increment: '30/6',
};

function quote(overrides: Partial<QuoteResponse> = {}): QuoteResponse {
  return {
    number: '+16502530000', e164: '+16502530000', kind: 'international', billing: 'wallet', country: 'US', rate: usRate,
    currency: 'EUR', balanceMinor: 2500, minutesAffordable: 240, costOfFirstMinuteMinor: 3, warnings: [], ...overrides,
  };
}

const international = classifyNumber({ dialed: '+16502530000', callerCountry: 'FR' });
const premium = classifyNumber({ dialed: '0899123456', callerCountry: 'FR' });

describe('the gate decision', () => {
  it('sends free calls straight out, marking what the plan includes', () => {
    expect(decideGate({ classification: classifyNumber({ dialed: '0123456789', callerCountry: 'FR' }), quote: null, role: 'employee' })).toEqual({ kind: 'straight', included: true });
    expect(decideGate({ classification: classifyNumber({ dialed: '1002', callerCountry: 'FR' }), quote: null, role: 'employee' })).toEqual({ kind: 'straight', included: false });
    expect(decideGate({ classification: classifyNumber({ dialed: '0800123456', callerCountry: 'FR' }), quote: null, role: 'admin' })).toEqual({ kind: 'straight', included: false });
  });

  it('never gates an emergency number, whatever the quote says', () => {
    const emergency = classifyNumber({ dialed: '112', callerCountry: 'FR' });
    for (const q of [null, managerFailure('unreachable', 'down'), managerOk(quote({ balanceMinor: 0, minutesAffordable: 0, warnings: ['insufficient_funds'] }))]) {
      expect(decideGate({ classification: emergency, quote: q, role: 'employee' })).toEqual({ kind: 'straight', included: false });
    }
  });

  it('without a manager (manual SIP account) leaves paid calls to the proxy', () => {
    expect(decideGate({ classification: international, quote: null, role: null })).toEqual({ kind: 'straight', included: false });
  });

  it('gates an international call with the quote', () => {
    const q = quote();
    expect(decideGate({ classification: international, quote: managerOk(q), role: 'employee' })).toEqual({ kind: 'gate', quote: q });
  });

  it('warns before a premium number', () => {
    const q = quote({ kind: 'premium', warnings: ['paid_service'] });
    expect(decideGate({ classification: premium, quote: managerOk(q), role: 'admin' })).toEqual({ kind: 'premium', quote: q });
    const highCost = quote({ kind: 'high-cost', warnings: ['paid_service', 'high_cost'] });
    expect(decideGate({ classification: classifyNumber({ dialed: '+881612345678', callerCountry: 'FR' }), quote: managerOk(highCost), role: 'admin' }).kind).toBe('premium');
  });

  it('blocks a call the balance cannot pay, offering Add funds to admins only', () => {
    const q = quote({ balanceMinor: 0, minutesAffordable: 0, warnings: ['insufficient_funds'] });
    expect(decideGate({ classification: international, quote: managerOk(q), role: 'admin' })).toEqual({ kind: 'blocked-no-funds', quote: q, canAddFunds: true });
    expect(decideGate({ classification: international, quote: managerOk(q), role: 'employee' })).toEqual({ kind: 'blocked-no-funds', quote: q, canAddFunds: false });
  });

  it('refuses a high-risk destination the company has not allowed, before anything else', () => {
    const satellite = classifyNumber({ dialed: '+881612345678', callerCountry: 'FR' });
    const blocked = quote({ kind: 'high-cost', warnings: ['paid_service', 'high_cost', 'class_blocked', 'barred', 'insufficient_funds'] });
    expect(decideGate({ classification: satellite, quote: managerOk(blocked), role: 'admin' })).toEqual({ kind: 'refused', reason: 'class-blocked' });
  });

  it('reports the manager’s refusals in its order: barred, no rate, daily cap', () => {
    const decide = (warnings: QuoteResponse['warnings'], rate: QuoteResponse['rate'] = usRate) =>
      decideGate({ classification: premium, quote: managerOk(quote({ kind: 'premium', warnings, rate })), role: 'employee' });
    expect(decide(['paid_service', 'barred', 'insufficient_funds'])).toEqual({ kind: 'refused', reason: 'barred' });
    // Which rule bars it decides the words: premium barring, plan only, not an allowed country.
    const barredBy = (rule: QuoteResponse['barredBy']) =>
      decideGate({ classification: international, quote: managerOk(quote({ warnings: ['barred'], barredBy: rule })), role: 'employee' });
    expect(barredBy('paid_service')).toEqual({ kind: 'refused', reason: 'barred' });
    expect(barredBy('plan_only')).toEqual({ kind: 'refused', reason: 'barred-plan' });
    expect(barredBy('country')).toEqual({ kind: 'refused', reason: 'barred-country' });
    expect(decide(['paid_service', 'no_rate'], null)).toEqual({ kind: 'refused', reason: 'no-rate' });
    expect(decide(['daily_cap'])).toEqual({ kind: 'refused', reason: 'daily-cap' });
    expect(decideGate({ classification: international, quote: managerOk(quote({ billing: 'refused', kind: 'invalid', warnings: ['invalid_number'] })), role: 'admin' })).toEqual({ kind: 'refused', reason: 'invalid' });
  });

  it('fails closed when the wallet cannot be checked', () => {
    expect(decideGate({ classification: international, quote: managerFailure('unreachable', 'down'), role: 'admin' })).toEqual({ kind: 'refused', reason: 'wallet-unavailable' });
    expect(decideGate({ classification: international, quote: managerFailure('signed-out', 'gone'), role: 'admin' })).toEqual({ kind: 'refused', reason: 'signed-out' });
  });

  it('follows the manager when it says the call is free', () => {
    expect(decideGate({ classification: international, quote: managerOk(quote({ billing: 'free', kind: 'included', rate: null, minutesAffordable: null })), role: 'admin' })).toEqual({ kind: 'straight', included: true });
  });
});
