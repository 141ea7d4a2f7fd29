/**
 * The in-call meter reads the manager's funded time for the call (issue 10, section 4): the reservation's
 * maximum, pushed on the wallet event stream, is where the proxy cuts the call, so "time left" and the
 * one-minute warning follow it (other calls' reservations, the daily cap, mid-call extensions) rather than
 * the balance the quote saw before the call.
 */
import { describe, expect, it } from 'vitest';
import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import { walletEventSchema } from '../../../shared/api/wallet-schemas.js';
import { readMeter } from '../../../renderer/src/wallet/paid-call-meter.js';
import { initialWalletState, reduceWallet } from '../../../renderer/src/wallet/wallet-store.js';

const quote: QuoteResponse = {
  number: '+16502530000', e164: '+16502530000', kind: 'international', billing: 'wallet', country: 'US',
  rate: { prefix: '1', destination: 'United States', country: 'US', numberType: 'landline', pricePerMinute: { units: 6000, decimal: '0.6000' }, connectionFee: { units: 0, decimal: '0.0000' }, increment: '60/60' },
  currency: 'EUR', balanceMinor: 1200, minutesAffordable: 20, costOfFirstMinuteMinor: 60, warnings: [],
  verdict: { allowed: true, charged: true, confirm: 'paid', maxDurationSeconds: 14_400 },
};

describe('the meter follows the manager\'s funded time', () => {
  it('counts down to the proxy\'s cut, not to what the balance would buy', () => {
    // The balance buys 20 minutes, but another call holds most of it: the manager funded 90 s.
    expect(readMeter(quote, 0, 90)).toMatchObject({ secondsLeft: 90, warning: false });
    expect(readMeter(quote, 29.5, 90)).toMatchObject({ secondsLeft: 61, warning: false });
    expect(readMeter(quote, 30, 90)).toMatchObject({ secondsLeft: 60, warning: true });
    // Between two ticks the meter never shows 0 before the cut.
    expect(readMeter(quote, 89.2, 90).secondsLeft).toBe(1);
    expect(readMeter(quote, 90, 90).secondsLeft).toBe(0);
    // A refill extended the call: the warning goes away.
    expect(readMeter(quote, 40, 300)).toMatchObject({ secondsLeft: 260, warning: false });
    // Before the first event: the quote's balance.
    expect(readMeter(quote, 0).secondsLeft).toBe(1200);
  });

  it('keeps the funded time of the user\'s calls from the stream, and the last one until an event says otherwise', () => {
    const event = walletEventSchema.parse({ companyId: 'cmp_demo', balanceMinor: 500, currency: 'EUR', lowBalance: false, seq: 4, calls: [{ sipCallId: 'abc@host', maxDurationSeconds: 121 }] });
    let state = reduceWallet(initialWalletState, { type: 'update', update: { type: 'wallet', wallet: event } });
    expect(state.callFunding).toEqual([{ sipCallId: 'abc@host', maxDurationSeconds: 121 }]);
    // An event from an older manager, without calls, leaves the last known funding alone.
    const { calls: _calls, ...older } = event;
    state = reduceWallet(state, { type: 'update', update: { type: 'wallet', wallet: { ...older, seq: 5 } } });
    expect(state.callFunding).toEqual([{ sipCallId: 'abc@host', maxDurationSeconds: 121 }]);
    state = reduceWallet(state, { type: 'update', update: { type: 'wallet', wallet: { ...event, seq: 6, calls: [] } } });
    expect(state.callFunding).toEqual([]);
  });

  it('refuses a malformed funding entry at the boundary', () => {
    const base = { companyId: 'cmp_demo', balanceMinor: 500, currency: 'EUR', lowBalance: false, seq: 4 };
    expect(walletEventSchema.safeParse({ ...base, calls: [{ sipCallId: '', maxDurationSeconds: 10 }] }).success).toBe(false);
    expect(walletEventSchema.safeParse({ ...base, calls: [{ sipCallId: 'a', maxDurationSeconds: -1 }] }).success).toBe(false);
    expect(walletEventSchema.safeParse({ ...base, calls: [{ sipCallId: 'a', maxDurationSeconds: 1.5 }] }).success).toBe(false);
  });
});
