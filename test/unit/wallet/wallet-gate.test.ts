import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import { dialIntentFor, type DialIntent } from '../../../shared/dial/dial-intent.js';
import type { ManagerResult } from '../../../shared/manager-link/manager-result.js';
import type { ManagerSession } from '../../../shared/manager-link/manager-session.js';
import { createStore } from '../../../renderer/src/state/store.js';
import { createWalletGate } from '../../../renderer/src/wallet/wallet-gate.js';
import { initialWalletState, reduceWallet, type WalletEvent } from '../../../renderer/src/wallet/wallet-store.js';

const session: ManagerSession = {
  origin: 'https://manager.example.fr',
  user: { id: 'usr_1', email: 'alice@example.fr', displayName: 'Alice', role: 'admin', extension: '1001', companyId: 'cmp_1', premiumBarred: false },
  company: { id: 'cmp_1', name: 'Demo', currency: 'EUR', country: 'FR', sipDomain: 'cabine.test', dailyCapMinor: null },
};
const usRate = { prefix: '1', destination: 'United States', country: 'US', numberType: 'landline' as const, pricePerMinute: { units: 300, decimal: '0.0300' }, connectionFee: { units: 0, decimal: '0.0000' }, increment: '60/60' };

function quote(overrides: Partial<QuoteResponse> = {}): QuoteResponse {
  return {
    number: '+16502530000', e164: '+16502530000', kind: 'international', billing: 'wallet', country: 'US', rate: usRate,
    currency: 'EUR', balanceMinor: 2500, minutesAffordable: 833, costOfFirstMinuteMinor: 3, warnings: [], barredBy: null,
    verdict: { allowed: true, charged: true, confirm: 'paid', maxDurationSeconds: 14_400 }, ...overrides,
  };
}

function intent(input: string): DialIntent {
  const result = dialIntentFor(input, { dialCountry: 'FR', callerCountry: 'FR' });
  if (!result.ok) throw new Error(`not callable: ${input}`);
  return result.intent;
}

/** The host bridge's getQuote, answered by the test: each question waits until the test answers it. */
function setup(signedIn = true) {
  const store = createStore(signedIn ? reduceWallet(initialWalletState, { type: 'sessionChanged', session }) : initialWalletState);
  const dispatch = (event: WalletEvent): void => store.update((state) => reduceWallet(state, event));
  const questions: { number: string; answer: (result: ManagerResult<QuoteResponse>) => void }[] = [];
  const host = {
    getQuote: vi.fn((number: string) => new Promise<ManagerResult<QuoteResponse>>((resolve) => questions.push({ number, answer: resolve }))),
  };
  const gate = createWalletGate({
    host, store, dispatch, announcementText: () => 'Remaining balance', debounceMs: 150,
  });
  return { store, gate, host, questions };
}

const flush = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

describe('the wallet gate', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets every call through without a company sign-in (the proxy still enforces), and plan calls without a quote', async () => {
    const signedOut = setup(false);
    await expect(signedOut.gate.admit(intent('+16502530000'))).resolves.toEqual({ go: true });
    const { gate, host, store } = setup();
    await expect(gate.admit(intent('01 23 45 67 89'))).resolves.toEqual({ go: true });
    expect(store.getState().includedNumber).toBe('01 23 45 67 89');
    expect(signedOut.host.getQuote).not.toHaveBeenCalled();
    expect(host.getQuote).not.toHaveBeenCalled();
  });

  it('shows the Paid call dialog from the verdict, and Call admits it; the paid call is tracked by its id', async () => {
    const { gate, store, questions } = setup();
    const admission = gate.admit(intent('+1 650 253 0000'));
    expect(store.getState().gate.phase).toBe('checking');
    questions[0]?.answer({ ok: true, value: quote() });
    await vi.waitFor(() => expect(store.getState().gate).toMatchObject({ phase: 'decided', decision: { kind: 'gate' } }));
    gate.confirm();
    const admitted = await admission;
    expect(admitted.go).toBe(true);
    if (admitted.go) admitted.placed?.('call-7');
    expect(store.getState().paidCall).toMatchObject({ callId: 'call-7', number: '+1 650 253 0000' });
    expect(store.getState().gate.phase).toBe('idle');
  });

  it.each([
    ['premium', { verdict: { allowed: true, charged: true, confirm: 'premium', maxDurationSeconds: 600 }, kind: 'premium' }, 'premium'],
    ['no funds', { verdict: { allowed: false, reason: 'insufficient_funds' }, minutesAffordable: 0 }, 'blocked-no-funds'],
    ['barred', { verdict: { allowed: false, reason: 'barred' }, barredBy: 'country' }, 'refused'],
  ] as const)('maps the verdict (%s) and Cancel places nothing', async (_label, overrides, kind) => {
    const { gate, store, questions } = setup();
    const admission = gate.admit(intent('+1 650 253 0000'));
    questions[0]?.answer({ ok: true, value: quote(overrides as Partial<QuoteResponse>) });
    await vi.waitFor(() => expect(store.getState().gate).toMatchObject({ phase: 'decided', decision: { kind } }));
    gate.confirm(); // Only a paid or premium call can be confirmed; for the others this does nothing.
    gate.cancel();
    const answer = await admission;
    expect(answer.go).toBe(kind === 'premium');
  });

  it('never lets a paid call through when the manager cannot be asked', async () => {
    const { gate, store, questions } = setup();
    const admission = gate.admit(intent('+1 650 253 0000'));
    questions[0]?.answer({ ok: false, failure: { kind: 'unreachable', code: null, message: 'down' } });
    await vi.waitFor(() => expect(store.getState().gate).toMatchObject({ phase: 'decided', decision: { kind: 'refused', reason: 'wallet-unavailable' } }));
    gate.confirm();
    gate.cancel();
    await expect(admission).resolves.toEqual({ go: false });
  });

  it('quotes while the user types: debounced, stale answers dropped, and the click reuses the quote', async () => {
    const { gate, store, questions, host } = setup();
    gate.preview(intent('+1 202 555 0100'));
    gate.preview(intent('+1 650 253 0000'));
    expect(store.getState().preview).toEqual({ phase: 'checking', dialed: '+16502530000' });
    expect(host.getQuote).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(150);
    expect(host.getQuote).toHaveBeenCalledTimes(1);
    questions[0]?.answer({ ok: true, value: quote() });
    await vi.waitFor(() => expect(store.getState().preview).toMatchObject({ phase: 'ready', decision: { kind: 'gate' } }));

    // Call: the dialog is decided after one microtask, with no second question to the manager.
    const admission = gate.admit(intent('+1 650 253 0000'));
    await flush();
    await flush();
    expect(store.getState().gate).toMatchObject({ phase: 'decided', decision: { kind: 'gate' } });
    expect(host.getQuote).toHaveBeenCalledTimes(1);
    gate.cancel();
    await admission;

    // Typed on to another number before the answer: the late answer does not show.
    gate.preview(intent('+44 20 7946 0000'));
    await vi.advanceTimersByTimeAsync(150);
    gate.preview(null);
    questions[1]?.answer({ ok: true, value: quote({ number: '+442079460000' }) });
    await flush();
    expect(store.getState().preview).toBeNull();
  });

  it('a balance change makes the quote in hand stale', async () => {
    const { gate, questions, host } = setup();
    gate.preview(intent('+1 650 253 0000'));
    await vi.advanceTimersByTimeAsync(150);
    questions[0]?.answer({ ok: true, value: quote() });
    await flush();
    gate.walletChanged();
    await vi.advanceTimersByTimeAsync(150);
    expect(host.getQuote).toHaveBeenCalledTimes(2);
  });

  it('a second Call press replaces the question still open', async () => {
    const { gate, questions } = setup();
    const first = gate.admit(intent('+1 650 253 0000'));
    questions[0]?.answer({ ok: true, value: quote() });
    await flush();
    const second = gate.admit(intent('+1 202 555 0100'));
    await expect(first).resolves.toEqual({ go: false });
    gate.cancel();
    await expect(second).resolves.toEqual({ go: false });
  });
});
