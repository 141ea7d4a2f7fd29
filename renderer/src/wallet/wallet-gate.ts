/**
 * The wallet's gate in front of the call placer (calling/call-placer.ts): for a call that taps the
 * Prepaid Account it fetches the manager's quote, maps its verdict (gate-decision.ts) and, when the user
 * must answer, shows the "Paid call" or "Premium number" dialog and waits for Call or Cancel.
 *
 * The quote is fetched while the user types (preview, debounced, a stale answer dropped when the input
 * changed), so the cost line under the number field shows rate, balance and minutes before anyone presses
 * Call, and the gate's dialog appears at once on the click: the click reuses the quote in flight or just
 * received. A balance change (top-up, charge, refill) invalidates it.
 *
 * Emergency numbers never get here: the placer dials them first.
 */
import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import type { DialIntent } from '../../../shared/dial/dial-intent.js';
import type { HostBridge } from '../../../shared/host/host-bridge.js';
import type { ManagerResult } from '../../../shared/manager-link/manager-result.js';
import type { Admission, CallGate } from '../calling/call-placer.js';
import type { Store } from '../state/store.js';
import { decideGate, needsQuote } from './gate-decision.js';
import type { Balance, WalletEvent, WalletState } from './wallet-store.js';

/** How long the user may pause typing before the quote is asked for. */
const previewDebounceMs = 150;
/** A quote older than this is asked for again on the click. */
const quoteFreshMs = 30_000;

export interface WalletGateDeps {
  readonly host: Pick<HostBridge, 'getQuote'>;
  readonly store: Store<WalletState>;
  readonly dispatch: (event: WalletEvent) => void;
  /**
   * The balance line shown during a paid call, in the UI language ("Remaining balance: 25,00 €"). The
   * caller hears the balance from the SIP server, as early media before the call connects (every phone
   * does: docs/sip-server.md, "Balance announcement"); the app no longer speaks it.
   */
  readonly announcementText: (balance: Balance) => string;
  readonly now?: () => number;
  readonly debounceMs?: number;
}

export interface WalletGate extends CallGate {
  /** Call, from the "Paid call" dialog or after the explicit confirmation of the premium warning. */
  confirm(): void;
  cancel(): void;
  /** The balance changed: quotes in hand are stale. */
  walletChanged(): void;
  dispose(): void;
}

interface CachedQuote {
  readonly dialed: string;
  readonly at: number;
  readonly result: Promise<ManagerResult<QuoteResponse>>;
}

/** A question the gate's dialog is asking; `paid` when the answer may be Call. */
interface Pending {
  readonly requestId: number;
  readonly paid: { readonly quote: QuoteResponse; readonly display: string } | null;
  readonly resolve: (admission: Admission) => void;
}

export function createWalletGate(deps: WalletGateDeps): WalletGate {
  const { host, store, dispatch } = deps;
  const now = deps.now ?? Date.now;
  const debounceMs = deps.debounceMs ?? previewDebounceMs;
  let cached: CachedQuote | null = null;
  let previewIntent: DialIntent | null = null;
  let previewTimer: ReturnType<typeof setTimeout> | undefined;
  let requestSeq = 0;
  let pending: Pending | null = null;
  /** Ends the question still waiting for its quote (a new Call press, Cancel, dispose). */
  let abandonChecking: (() => void) | null = null;

  const session = () => store.getState().session;

  /** The quote for `dialed`: the one in flight or in hand when fresh, else a new question to the manager. */
  const quoteFor = (dialed: string): Promise<ManagerResult<QuoteResponse>> => {
    if (cached !== null && cached.dialed === dialed && now() - cached.at < quoteFreshMs) return cached.result;
    const result = host.getQuote(dialed).then((quote) => {
      const company = session()?.company;
      if (quote.ok && company !== undefined && company !== null) {
        const { balanceMinor, currency, warnings } = quote.value;
        dispatch({ type: 'update', update: { type: 'wallet', wallet: { companyId: company.id, balanceMinor, currency, lowBalance: warnings.includes('low_balance'), seq: 0 } } });
      }
      // A failure is not kept: the next look asks again.
      if (!quote.ok && cached?.result === result) cached = null;
      return quote;
    });
    cached = { dialed, at: now(), result };
    return result;
  };

  const decisionFor = (intent: DialIntent, quote: ManagerResult<QuoteResponse> | null) =>
    decideGate({ classification: intent.classification, quote, role: session()?.user.role ?? null });

  const runPreview = (): void => {
    clearTimeout(previewTimer);
    const intent = previewIntent;
    if (intent === null || session() === null) {
      if (store.getState().preview !== null) dispatch({ type: 'previewChanged', preview: null });
      return;
    }
    const { dialed } = intent;
    if (!needsQuote(intent.classification)) {
      dispatch({ type: 'previewChanged', preview: { phase: 'ready', dialed, decision: decisionFor(intent, null) } });
      return;
    }
    const shown = store.getState().preview;
    if (shown?.dialed !== dialed) dispatch({ type: 'previewChanged', preview: { phase: 'checking', dialed } });
    previewTimer = setTimeout(() => {
      void quoteFor(dialed).then((quote) => {
        // The user typed on (or cleared the field) meanwhile: this answer is for another number.
        if (previewIntent?.dialed !== dialed) return;
        dispatch({ type: 'previewChanged', preview: { phase: 'ready', dialed, decision: decisionFor(intent, quote) } });
      });
    }, debounceMs);
  };

  const settle = (admission: Admission): void => {
    abandonChecking?.();
    abandonChecking = null;
    const waiting = pending;
    pending = null;
    waiting?.resolve(admission);
  };

  const straight = (intent: DialIntent, included: boolean): Admission => {
    dispatch({ type: 'includedDialled', number: included ? intent.display : null });
    return { go: true };
  };

  return {
    preview(intent) {
      previewIntent = intent;
      runPreview();
    },

    async admit(intent) {
      // A new Call press replaces a question still open (or still being asked).
      requestSeq += 1;
      const requestId = requestSeq;
      settle({ go: false });
      if (store.getState().gate.phase !== 'idle') dispatch({ type: 'gateClosed' });
      if (session() === null) return { go: true }; // Manual SIP account: the proxy still enforces.
      if (!needsQuote(intent.classification)) {
        const decision = decisionFor(intent, null);
        return straight(intent, decision.kind === 'straight' && decision.included);
      }
      dispatch({ type: 'gateChecking', requestId, number: intent.dialed, display: intent.display });
      const abandoned = new Promise<null>((resolve) => {
        abandonChecking = () => resolve(null);
      });
      const quote = await Promise.race([quoteFor(intent.dialed), abandoned]);
      if (quote === null || store.getState().gate.phase !== 'checking' || requestSeq !== requestId) return { go: false };
      abandonChecking = null;
      const decision = decisionFor(intent, quote);
      if (decision.kind === 'straight') {
        dispatch({ type: 'gateClosed' });
        return straight(intent, decision.included);
      }
      dispatch({ type: 'gateDecided', requestId, decision });
      // Refused or no funds: the dialog explains and only closes; nothing is placed.
      const paid = decision.kind === 'gate' || decision.kind === 'premium' ? { quote: decision.quote, display: intent.display } : null;
      return new Promise<Admission>((resolve) => {
        pending = { requestId, paid, resolve };
      });
    },

    confirm() {
      const gate = store.getState().gate;
      if (gate.phase !== 'decided' || pending?.paid == null || pending.requestId !== gate.requestId) return;
      const waiting = pending;
      const { quote, display } = pending.paid;
      pending = null;
      dispatch({ type: 'gateClosed' });
      dispatch({ type: 'includedDialled', number: null });
      const balance = store.getState().balance;
      const go: Admission = {
        go: true,
        placed: (callId) => dispatch({ type: 'paidCallStarted', paidCall: { number: display, quote, callId } }),
      };
      if (balance !== null) dispatch({ type: 'announced', text: deps.announcementText(balance) });
      waiting.resolve(go);
    },

    cancel() {
      settle({ go: false });
      dispatch({ type: 'gateClosed' });
    },

    walletChanged() {
      cached = null;
      if (previewIntent !== null && needsQuote(previewIntent.classification)) runPreview();
    },

    dispose() {
      clearTimeout(previewTimer);
      settle({ go: false });
    },
  };
}
