/**
 * What happens when the user presses Call, decided from facts alone (house style 8: a pure function the
 * unit tests reach directly). The facts are the dial intent's classification, the manager's quote and the
 * user's role. The quote carries the manager's verdict (shared/billing/call-policy.ts, the same function
 * that authorizes the call at the proxy): this only maps it to what the UI shows, it never re-derives it.
 *
 *   straight ─ the call goes out now (free, included, internal, no wallet in use)
 *   gate ───── the "Paid call" dialog: destination, balance, rate, minutes; Call or Cancel
 *   premium ── the "Premium number" alert dialog: explicit confirmation, never automatic
 *   blocked-no-funds ─ not placed; admins may add funds, employees ask an admin
 *   refused ── not placed, with the manager's reason in plain words
 */
import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import type { Role } from '../../../shared/api/auth-schemas.js';
import { assertNever } from '../../../shared/assert-never.js';
import type { ManagerResult } from '../../../shared/manager-link/manager-result.js';
import type { NumberClassification } from '../../../shared/numbering/classify.js';

export type RefusalReason =
  | 'class-blocked'
  | 'barred'
  | 'barred-plan'
  | 'barred-country'
  | 'daily-cap'
  | 'monthly-budget'
  | 'no-rate'
  | 'invalid'
  | 'unknown-caller'
  | 'wallet-unavailable'
  | 'signed-out';

export type GateDecision =
  | { readonly kind: 'straight'; readonly included: boolean }
  | { readonly kind: 'gate'; readonly quote: QuoteResponse }
  | { readonly kind: 'premium'; readonly quote: QuoteResponse }
  | { readonly kind: 'blocked-no-funds'; readonly quote: QuoteResponse; readonly canAddFunds: boolean }
  | { readonly kind: 'refused'; readonly reason: RefusalReason };

export interface GateFacts {
  readonly classification: NumberClassification;
  /** The manager's quote; null when the app is not signed in to a manager (manual SIP account, no wallet). */
  readonly quote: ManagerResult<QuoteResponse> | null;
  readonly role: Role | null;
}

/** Whether a classified number needs the manager's quote before it may be called. */
export function needsQuote(classification: NumberClassification): boolean {
  return classification.billing === 'wallet';
}

/** Which of the caller's rules bars the number (shared/billing/barring.ts), in the words the UI has for it. */
function barredReason(rule: QuoteResponse['barredBy']): RefusalReason {
  switch (rule) {
    case 'plan_only':
      return 'barred-plan';
    case 'country':
      return 'barred-country';
    case 'paid_service':
    case null:
    case undefined:
      return 'barred';
    default:
      return assertNever(rule);
  }
}

/** The manager's verdict on a quote, as the UI shows it. */
function fromVerdict(quote: QuoteResponse, role: Role | null): GateDecision {
  const { verdict } = quote;
  if (verdict.allowed) {
    switch (verdict.confirm) {
      case 'none':
        return { kind: 'straight', included: quote.kind === 'included' };
      case 'paid':
        return { kind: 'gate', quote };
      case 'premium':
        return { kind: 'premium', quote };
      default:
        return assertNever(verdict.confirm);
    }
  }
  switch (verdict.reason) {
    case 'insufficient_funds':
      return { kind: 'blocked-no-funds', quote, canAddFunds: role === 'admin' };
    case 'class_blocked':
      return { kind: 'refused', reason: 'class-blocked' };
    case 'barred':
      return { kind: 'refused', reason: barredReason(quote.barredBy) };
    case 'daily_cap':
      return { kind: 'refused', reason: 'daily-cap' };
    case 'monthly_budget':
      return { kind: 'refused', reason: 'monthly-budget' };
    case 'no_rate':
      return { kind: 'refused', reason: 'no-rate' };
    case 'invalid':
      return { kind: 'refused', reason: 'invalid' };
    case 'unknown_caller':
      return { kind: 'refused', reason: 'unknown-caller' };
    default:
      return assertNever(verdict.reason);
  }
}

export function decideGate({ classification, quote, role }: GateFacts): GateDecision {
  if (classification.kind === 'emergency') return { kind: 'straight', included: false };
  // Free and plan calls never touch the wallet; numbers the app cannot classify are left to the dialer
  // and the proxy (which refuses what it cannot rate).
  if (!needsQuote(classification)) return { kind: 'straight', included: classification.kind === 'included' };
  // Manual SIP account: no wallet in this app. The SIP proxy still enforces the company's rules.
  if (quote === null) return { kind: 'straight', included: false };
  if (!quote.ok) return { kind: 'refused', reason: quote.failure.kind === 'signed-out' ? 'signed-out' : 'wallet-unavailable' };
  return fromVerdict(quote.value, role);
}
