/**
 * What happens when the user presses Call, decided from facts alone (house style 8: a pure function the
 * unit tests reach directly). The wallet controller gathers the facts (the shared classification, the
 * manager's quote, the user's role) and the UI shows the outcome.
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

export type RefusalReason = 'class-blocked' | 'barred' | 'barred-plan' | 'barred-country' | 'daily-cap' | 'no-rate' | 'invalid' | 'wallet-unavailable' | 'signed-out';

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

/** Kinds paid from the Prepaid Account at premium prices: the warning that cannot be missed. */
export function isPremiumKind(kind: QuoteResponse['kind']): boolean {
  switch (kind) {
    case 'premium':
    case 'shared-cost':
    case 'directory':
    case 'high-cost':
      return true;
    case 'emergency':
    case 'internal':
    case 'included':
    case 'toll-free':
    case 'international':
    case 'invalid':
      return false;
    default:
      return assertNever(kind);
  }
}

/** Whether a locally classified number needs the manager's quote before it may be called. */
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

export function decideGate({ classification, quote, role }: GateFacts): GateDecision {
  if (classification.kind === 'emergency') return { kind: 'straight', included: false };
  // Free and plan calls never touch the wallet; numbers the app cannot classify are left to the dialer
  // and the proxy (which refuses what it cannot rate).
  if (!needsQuote(classification)) return { kind: 'straight', included: classification.kind === 'included' };
  // Manual SIP account: no wallet in this app. The SIP proxy still enforces the company's rules.
  if (quote === null) return { kind: 'straight', included: false };
  if (!quote.ok) {
    return { kind: 'refused', reason: quote.failure.kind === 'signed-out' ? 'signed-out' : 'wallet-unavailable' };
  }
  const q = quote.value;
  const warnings = new Set(q.warnings);
  if (q.billing === 'free') return { kind: 'straight', included: q.kind === 'included' };
  if (q.billing === 'refused' || warnings.has('invalid_number')) return { kind: 'refused', reason: 'invalid' };
  // The manager's order of refusal (authorizeCall): the company's blocked class, barred, then rate, then
  // funds or cap.
  if (warnings.has('class_blocked')) return { kind: 'refused', reason: 'class-blocked' };
  if (warnings.has('barred')) return { kind: 'refused', reason: barredReason(q.barredBy) };
  if (warnings.has('no_rate') || q.rate === null) return { kind: 'refused', reason: 'no-rate' };
  if (warnings.has('daily_cap')) return { kind: 'refused', reason: 'daily-cap' };
  if (warnings.has('insufficient_funds') || q.minutesAffordable === 0) {
    return { kind: 'blocked-no-funds', quote: q, canAddFunds: role === 'admin' };
  }
  if (isPremiumKind(q.kind) || warnings.has('paid_service') || warnings.has('high_cost')) return { kind: 'premium', quote: q };
  return { kind: 'gate', quote: q };
}
