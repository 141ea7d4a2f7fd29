/**
 * The wallet feature's state: the company session, the Prepaid Account as the manager last reported it,
 * the live stream's health, recent activity, and the call gate in progress. Plain readonly data changed
 * only by `reduceWallet` (house style 8).
 */
import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import type { ActivityItem, AutoRefillView, CallFunding, RefillAttempt, WalletView } from '../../../shared/api/wallet-schemas.js';
import { assertNever } from '../../../shared/assert-never.js';
import type { CurrencyCode } from '../../../shared/money/currency.js';
import type { ManagerFailure } from '../../../shared/manager-link/manager-result.js';
import type { ManagerSession } from '../../../shared/manager-link/manager-session.js';
import type { WalletStreamState, WalletUpdate } from '../../../shared/manager-link/wallet-stream.js';
import type { GateDecision } from './gate-decision.js';

/** The balance as shown: from `GET /wallet`, then kept current by the event stream. */
export interface Balance {
  readonly balanceMinor: number;
  readonly currency: CurrencyCode;
  readonly lowBalance: boolean;
}

/** The call the user asked for while the gate decides or waits for an answer. */
export type GateState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'checking'; readonly requestId: number; readonly number: string; readonly display: string }
  | { readonly phase: 'decided'; readonly requestId: number; readonly number: string; readonly display: string; readonly decision: GateDecision };

/** A paid call the user confirmed: what the meter needs to show its running cost and time left. */
export interface PaidCall {
  readonly number: string;
  readonly quote: QuoteResponse;
  /** The SIP call the placer created for it. */
  readonly callId: string;
}

/**
 * The cost line under the number field, while the user types: the gate's decision for that number,
 * prepared before anyone presses Call (the same decision the gate then shows at once).
 */
export type CostPreview =
  | { readonly phase: 'checking'; readonly dialed: string }
  | { readonly phase: 'ready'; readonly dialed: string; readonly decision: GateDecision };

export type SignInPhase =
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'signing-in' }
  | { readonly kind: 'failed'; readonly failure: ManagerFailure }
  | { readonly kind: 'signed-in' };

export interface WalletState {
  readonly session: ManagerSession | null;
  readonly signIn: SignInPhase;
  /** The SIP configuration could not be fetched or used after sign-in. */
  readonly sipProblem: ManagerFailure | null;
  readonly balance: Balance | null;
  readonly autoRefill: AutoRefillView | null;
  readonly stream: WalletStreamState;
  readonly activity: readonly ActivityItem[];
  readonly gate: GateState;
  readonly preview: CostPreview | null;
  /** The number last dialled straight because the plan includes it (the discreet mark). */
  readonly includedNumber: string | null;
  readonly paidCall: PaidCall | null;
  /** What was announced before the last paid call, also shown as text. */
  readonly announcement: string | null;
  /**
   * The user's paid calls in progress and the seconds after the answer at which the proxy cuts each, as
   * the manager last pushed them (the in-call meter's "time left"); null until an event carried them.
   */
  readonly callFunding: readonly CallFunding[] | null;
  /** The latest automatic-refill attempts, declined and skipped ones too (from the activity). */
  readonly refillAttempts: readonly RefillAttempt[];
}

export const initialWalletState: WalletState = {
  session: null,
  signIn: { kind: 'signed-out' },
  sipProblem: null,
  balance: null,
  autoRefill: null,
  stream: 'stopped',
  activity: [],
  gate: { phase: 'idle' },
  preview: null,
  includedNumber: null,
  paidCall: null,
  announcement: null,
  callFunding: null,
  refillAttempts: [],
};

export type WalletEvent =
  | { readonly type: 'signInStarted' }
  | { readonly type: 'signInFailed'; readonly failure: ManagerFailure }
  | { readonly type: 'sessionChanged'; readonly session: ManagerSession | null }
  | { readonly type: 'sipProblem'; readonly failure: ManagerFailure | null }
  | { readonly type: 'walletLoaded'; readonly wallet: WalletView }
  | { readonly type: 'update'; readonly update: WalletUpdate }
  | { readonly type: 'autoRefillSaved'; readonly autoRefill: AutoRefillView }
  | { readonly type: 'activityLoaded'; readonly items: readonly ActivityItem[]; readonly refillAttempts?: readonly RefillAttempt[] }
  | { readonly type: 'gateChecking'; readonly requestId: number; readonly number: string; readonly display: string }
  | { readonly type: 'gateDecided'; readonly requestId: number; readonly decision: GateDecision }
  | { readonly type: 'gateClosed' }
  | { readonly type: 'includedDialled'; readonly number: string | null }
  | { readonly type: 'paidCallStarted'; readonly paidCall: PaidCall }
  | { readonly type: 'previewChanged'; readonly preview: CostPreview | null }
  | { readonly type: 'paidCallEnded' }
  | { readonly type: 'announced'; readonly text: string | null };

export function reduceWallet(state: WalletState, event: WalletEvent): WalletState {
  switch (event.type) {
    case 'signInStarted':
      return { ...state, signIn: { kind: 'signing-in' } };
    case 'signInFailed':
      return { ...state, signIn: { kind: 'failed', failure: event.failure } };
    case 'sessionChanged':
      return event.session === null
        ? { ...initialWalletState }
        : { ...state, session: event.session, signIn: { kind: 'signed-in' } };
    case 'sipProblem':
      return { ...state, sipProblem: event.failure };
    case 'walletLoaded': {
      const { balanceMinor, currency, lowBalance, autoRefill } = event.wallet;
      return { ...state, balance: { balanceMinor, currency, lowBalance }, autoRefill };
    }
    case 'update': {
      const { update } = event;
      if (update.type === 'stream') return update.state === state.stream ? state : { ...state, stream: update.state };
      if (state.session?.company?.id !== undefined && update.wallet.companyId !== state.session.company.id) return state;
      const { balanceMinor, currency, lowBalance, calls } = update.wallet;
      return { ...state, balance: { balanceMinor, currency, lowBalance }, callFunding: calls ?? state.callFunding };
    }
    case 'autoRefillSaved':
      return { ...state, autoRefill: event.autoRefill };
    case 'activityLoaded':
      return { ...state, activity: event.items, refillAttempts: event.refillAttempts ?? state.refillAttempts };
    case 'gateChecking':
      return { ...state, gate: { phase: 'checking', requestId: event.requestId, number: event.number, display: event.display } };
    case 'gateDecided':
      // A late answer for a request the user already cancelled or replaced is dropped.
      if (state.gate.phase !== 'checking' || state.gate.requestId !== event.requestId) return state;
      return { ...state, gate: { ...state.gate, phase: 'decided', decision: event.decision } };
    case 'gateClosed':
      return state.gate.phase === 'idle' ? state : { ...state, gate: { phase: 'idle' } };
    case 'includedDialled':
      return { ...state, includedNumber: event.number };
    case 'paidCallStarted':
      return { ...state, paidCall: event.paidCall, includedNumber: null };
    case 'previewChanged':
      return { ...state, preview: event.preview };
    case 'paidCallEnded':
      return state.paidCall === null ? state : { ...state, paidCall: null };
    case 'announced':
      return { ...state, announcement: event.text };
    default:
      return assertNever(event);
  }
}
