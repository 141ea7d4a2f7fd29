// The app maps the manager's verdict (shared/billing/call-policy.ts) to what it shows; it never re-derives
// a verdict from the quote's warnings. The warnings here deliberately disagree with the verdict, to prove it.
import { describe, expect, it } from 'vitest';
import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import type { CallRefusal } from '../../../shared/billing/call-policy.js';
import { managerFailure, managerOk } from '../../../shared/manager-link/manager-result.js';
import { classifyNumber } from '../../../shared/numbering/classify.js';
import { decideGate, type RefusalReason } from '../../../renderer/src/wallet/gate-decision.js';

const usRate = {
  prefix: '1', destination: 'United States', country: 'US', numberType: 'landline' as const,
  pricePerMinute: { units: 220, decimal: '0.0220' }, connectionFee: { units: 0, decimal: '0.0000' }, increment: '30/6',
};

function quote(overrides: Partial<QuoteResponse> = {}): QuoteResponse {
  return {
    number: '+16502530000', e164: '+16502530000', kind: 'international', billing: 'wallet', country: 'US', rate: usRate,
    currency: 'EUR', balanceMinor: 2500, minutesAffordable: 240, costOfFirstMinuteMinor: 3, warnings: [],
    verdict: { allowed: true, charged: true, confirm: 'paid', maxDurationSeconds: 14_400 }, ...overrides,
  };
}

const refused = (reason: CallRefusal, overrides: Partial<QuoteResponse> = {}) => quote({ verdict: { allowed: false, reason }, ...overrides });

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
    for (const q of [null, managerFailure('unreachable', 'down'), managerOk(refused('insufficient_funds', { balanceMinor: 0, minutesAffordable: 0 }))]) {
      expect(decideGate({ classification: emergency, quote: q, role: 'employee' })).toEqual({ kind: 'straight', included: false });
    }
  });

  it('without a manager (manual SIP account) leaves paid calls to the proxy', () => {
    expect(decideGate({ classification: international, quote: null, role: null })).toEqual({ kind: 'straight', included: false });
  });

  it('asks what the verdict says to ask: the Paid call dialog, the premium warning, or nothing', () => {
    const paid = quote({ warnings: ['paid_service'] });
    expect(decideGate({ classification: international, quote: managerOk(paid), role: 'employee' })).toEqual({ kind: 'gate', quote: paid });
    const warned = quote({ kind: 'premium', verdict: { allowed: true, charged: true, confirm: 'premium', maxDurationSeconds: 600 } });
    expect(decideGate({ classification: premium, quote: managerOk(warned), role: 'admin' })).toEqual({ kind: 'premium', quote: warned });
    const free = quote({ billing: 'free', kind: 'included', rate: null, minutesAffordable: null, verdict: { allowed: true, charged: false, confirm: 'none', maxDurationSeconds: 14_400 } });
    expect(decideGate({ classification: international, quote: managerOk(free), role: 'admin' })).toEqual({ kind: 'straight', included: true });
  });

  it('offers Add funds to admins only when the wallet cannot fund a minute', () => {
    const empty = refused('insufficient_funds', { balanceMinor: 0, minutesAffordable: 0 });
    expect(decideGate({ classification: international, quote: managerOk(empty), role: 'admin' })).toEqual({ kind: 'blocked-no-funds', quote: empty, canAddFunds: true });
    expect(decideGate({ classification: international, quote: managerOk(empty), role: 'employee' })).toEqual({ kind: 'blocked-no-funds', quote: empty, canAddFunds: false });
  });

  it.each([
    ['class_blocked', 'class-blocked'],
    ['no_rate', 'no-rate'],
    ['daily_cap', 'daily-cap'],
    ['invalid', 'invalid'],
    ['unknown_caller', 'unknown-caller'],
  ] as [CallRefusal, RefusalReason][])('names the refusal %s in plain words (%s), whatever the warnings say', (reason, words) => {
    const q = refused(reason, { warnings: ['insufficient_funds', 'barred'] });
    expect(decideGate({ classification: international, quote: managerOk(q), role: 'admin' })).toEqual({ kind: 'refused', reason: words });
  });

  it('says which rule bars the number: premium barring, plan only, not an allowed country', () => {
    const barredBy = (rule: QuoteResponse['barredBy']) => decideGate({ classification: international, quote: managerOk(refused('barred', { barredBy: rule })), role: 'employee' });
    expect(barredBy('paid_service')).toEqual({ kind: 'refused', reason: 'barred' });
    expect(barredBy('plan_only')).toEqual({ kind: 'refused', reason: 'barred-plan' });
    expect(barredBy('country')).toEqual({ kind: 'refused', reason: 'barred-country' });
  });

  it('fails closed when the wallet cannot be checked', () => {
    expect(decideGate({ classification: international, quote: managerFailure('unreachable', 'down'), role: 'admin' })).toEqual({ kind: 'refused', reason: 'wallet-unavailable' });
    expect(decideGate({ classification: international, quote: managerFailure('signed-out', 'gone'), role: 'admin' })).toEqual({ kind: 'refused', reason: 'signed-out' });
  });
});
