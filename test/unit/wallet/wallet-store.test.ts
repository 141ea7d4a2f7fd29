import { describe, expect, it } from 'vitest';
import type { WalletView } from '../../../shared/api/wallet-schemas.js';
import type { ManagerSession } from '../../../shared/manager-link/manager-session.js';
import { initialWalletState, reduceWallet, type WalletState } from '../../../renderer/src/wallet/wallet-store.js';

const session: ManagerSession = {
  origin: 'https://manager.example.fr',
  user: { id: 'usr_1', email: 'alice@example.fr', displayName: 'Alice', role: 'admin', extension: '1001', companyId: 'cmp_1', premiumBarred: false },
  company: { id: 'cmp_1', name: 'Demo', currency: 'EUR', country: 'FR', sipDomain: 'cabine.test', dailyCapMinor: null },
};
const view: WalletView = {
  companyId: 'cmp_1', balanceMinor: 2500, reservedMinor: 0, availableMinor: 2500, currency: 'EUR', lowBalance: false,
  autoRefill: { enabled: false, thresholdMinor: 500, amountMinor: 2500, consecutiveDeclines: 0, disabledReason: null },
  dailyCapMinor: null, spentTodayMinor: 0,
};

function signedIn(): WalletState {
  return reduceWallet(reduceWallet(initialWalletState, { type: 'sessionChanged', session }), { type: 'walletLoaded', wallet: view });
}

describe('wallet store', () => {
  it('signs in, loads the wallet, and forgets everything on sign-out', () => {
    const started = reduceWallet(initialWalletState, { type: 'signInStarted' });
    expect(started.signIn).toEqual({ kind: 'signing-in' });
    const state = signedIn();
    expect(state.signIn).toEqual({ kind: 'signed-in' });
    expect(state.balance).toEqual({ balanceMinor: 2500, currency: 'EUR', lowBalance: false });
    expect(reduceWallet(state, { type: 'sessionChanged', session: null })).toEqual(initialWalletState);
  });

  it('keeps a sign-in failure for the form to explain', () => {
    const failure = { kind: 'invalid-credentials' as const, code: 'unauthorized', message: 'nope' };
    expect(reduceWallet(initialWalletState, { type: 'signInFailed', failure }).signIn).toEqual({ kind: 'failed', failure });
  });

  it('takes live balances for its own company only, and tracks the stream', () => {
    const state = signedIn();
    const live = reduceWallet(state, { type: 'update', update: { type: 'wallet', wallet: { companyId: 'cmp_1', balanceMinor: 5000, currency: 'EUR', lowBalance: false, seq: 9 } } });
    expect(live.balance?.balanceMinor).toBe(5000);
    const other = reduceWallet(live, { type: 'update', update: { type: 'wallet', wallet: { companyId: 'cmp_2', balanceMinor: 1, currency: 'EUR', lowBalance: true, seq: 10 } } });
    expect(other).toBe(live);
    const reconnecting = reduceWallet(live, { type: 'update', update: { type: 'stream', state: 'reconnecting' } });
    expect(reconnecting.stream).toBe('reconnecting');
    expect(reduceWallet(reconnecting, { type: 'update', update: { type: 'stream', state: 'reconnecting' } })).toBe(reconnecting);
  });

  it('drops a late quote for a gate the user already cancelled or replaced', () => {
    const checking = reduceWallet(signedIn(), { type: 'gateChecking', requestId: 1, number: '+16502530000', display: '+1 650-253-0000' });
    const decided = reduceWallet(checking, { type: 'gateDecided', requestId: 1, decision: { kind: 'refused', reason: 'no-rate' } });
    expect(decided.gate).toMatchObject({ phase: 'decided', requestId: 1 });
    const cancelled = reduceWallet(checking, { type: 'gateClosed' });
    expect(reduceWallet(cancelled, { type: 'gateDecided', requestId: 1, decision: { kind: 'refused', reason: 'no-rate' } })).toBe(cancelled);
    const replaced = reduceWallet(checking, { type: 'gateChecking', requestId: 2, number: '0899123456', display: '08 99 12 34 56' });
    expect(reduceWallet(replaced, { type: 'gateDecided', requestId: 1, decision: { kind: 'refused', reason: 'no-rate' } })).toBe(replaced);
  });

  it('links a confirmed paid call to the SIP call once, and clears it when it ends', () => {
    const quote = {
      number: '+16502530000', e164: '+16502530000', kind: 'international' as const, billing: 'wallet' as const, country: 'US', rate: null,
      currency: 'EUR' as const, balanceMinor: 2500, minutesAffordable: 240, costOfFirstMinuteMinor: 3, warnings: [],
      verdict: { allowed: true as const, charged: true, confirm: 'paid' as const, maxDurationSeconds: 14_400 },
    };
    // The placer hands back the call id: the paid call is known by it from the start.
    const started = reduceWallet(signedIn(), { type: 'paidCallStarted', paidCall: { number: '+16502530000', quote, callId: 'c1' } });
    expect(started.paidCall?.callId).toBe('c1');
    expect(reduceWallet(started, { type: 'paidCallEnded' }).paidCall).toBeNull();
  });
});
