/**
 * The one call decision: may this call go ahead, for how long, and what must the app ask first? The
 * manager's authorize and extend and the quote the app shows before dialling all call it (house style 16),
 * so the app refuses exactly what the proxy would. Pure: the caller gathers the facts (classifying the
 * number once per request), these functions decide. Money in integer minor units.
 *
 * The rules, in order; the first that applies decides (docs/money-flow.md, "Authorize → reserve"):
 *
 *   emergency ────────── allowed, never charged, whatever else is true
 *   unknown_caller ───── no such company or extension
 *   invalid ──────────── not a number Cabine can route
 *   class_blocked ────── a high-risk class (`highRiskKinds`) the company has not allowed: the company's
 *                        rule before the user's, so the admin sees the switch that would change it
 *   barred ───────────── the user's barring (shared/billing/barring.ts)
 *   no_rate ──────────── paid from the wallet, and the deck has no rate for it
 *   insufficient_funds ─ the wallet funds 0 s (wins over the cap: adding funds is the first thing to do)
 *   daily_cap ────────── the wallet would fund the call, the day's cap funds 0 s
 *   monthly_budget ───── the wallet and the cap would fund the call, the caller's monthly budget funds 0 s
 *                        (shared/billing/monthly-budget.ts: an admin's limit per employee)
 */
import { assertNever } from '../assert-never';
import type { CurrencyCode } from '../money/currency';
import type { NumberClassification, NumberKind } from '../numbering/classify';
import { highRiskKinds } from '../numbering/classify';
import type { Tariff } from '../rating/tariff';
import { callCostMinor, maxFundedSeconds } from '../rating/tariff';
import type { CallBarring } from './barring';
import { barredBy } from './barring';

/** Why the policy refuses a call (the manager adds `released`, which is about a call id, not the policy). */
export type CallRefusal = 'unknown_caller' | 'invalid' | 'class_blocked' | 'barred' | 'no_rate' | 'insufficient_funds' | 'daily_cap' | 'monthly_budget';

/** Every refusal, in the order the rules apply. */
export const callRefusals = [
  'unknown_caller', 'invalid', 'class_blocked', 'barred', 'no_rate', 'insufficient_funds', 'daily_cap', 'monthly_budget',
] as const satisfies readonly CallRefusal[];

/** The refusals that depend on money, decided last (under the company lock, in the manager). */
export type FundsRefusal = Extract<CallRefusal, 'insufficient_funds' | 'daily_cap' | 'monthly_budget'>;

/**
 * What the app must ask before placing an allowed call: nothing (the wallet is not touched), the "Paid
 * call" confirmation, or the explicit premium confirmation.
 */
export type CallConfirmation = 'none' | 'paid' | 'premium';

/** The decision. `maxDurationSeconds`: hang up after this many answered seconds. */
export type CallVerdict =
  | { readonly allowed: true; readonly charged: boolean; readonly confirm: 'none' | 'paid' | 'premium'; readonly maxDurationSeconds: number }
  | { readonly allowed: false; readonly reason: CallRefusal };

/** What the rules before money look at. */
export interface CallRuleFacts {
  /** The dialled number, classified once by the caller (`classifyNumber`). */
  readonly classification: NumberClassification;
  /** The calling user; null when the company or the extension is unknown. */
  readonly caller: { readonly barring: CallBarring } | null;
  /** The company allowed high-risk destination classes. */
  readonly highRiskAllowed: boolean;
  /** The deck's rate for the number (longest prefix); null when none, or when the call is not rated. */
  readonly rate: Tariff | null;
}

/** What is left to fund a call with, and the limits of a funded call. */
export interface FundingFacts {
  /** The wallet's balance minus every other call's reservation (negative counts as 0). */
  readonly availableMinor: number;
  /** What the daily cap leaves after today's charges and every other call's reservation; null: no cap. */
  readonly dailyCapLeftMinor: number | null;
  /**
   * What the caller's monthly budget leaves after this month's charges and the caller's other calls'
   * reservations (`budgetLeft` in shared/billing/monthly-budget.ts); null or absent: no budget.
   */
  readonly budgetLeftMinor?: number | null;
  readonly currency: CurrencyCode;
  /** The service's longest call, in seconds. */
  readonly maxCallSeconds: number;
}

/** Everything `decideCall` looks at. */
export type CallFacts = CallRuleFacts & FundingFacts;

/** The longest call the wallet and the cap fund, and what it reserves. */
export interface FundedCall {
  /** Null when funded; otherwise `maxDurationSeconds` and `reservedMinor` are 0. */
  readonly refusal: FundsRefusal | null;
  readonly maxDurationSeconds: number;
  /** `callCostMinor(tariff, maxDurationSeconds)`: the most the call can cost. */
  readonly reservedMinor: number;
}

/** Kinds paid from the Prepaid Account at premium prices. */
export type PremiumKind = Extract<NumberKind, 'premium' | 'shared-cost' | 'directory' | 'high-cost'>;

/** Kinds paid from the Prepaid Account at premium prices: the confirmation that cannot be missed. */
export function isPremiumKind(kind: NumberKind): kind is PremiumKind {
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

/** Rule 1: emergency calls are allowed before anything else is looked at (not even the database). */
export function alwaysAllowed(classification: Pick<NumberClassification, 'kind'>): boolean {
  return classification.kind === 'emergency';
}

/** Whether the call is paid from the wallet, i.e. rated, reserved and charged. */
export function walletPaid(classification: Pick<NumberClassification, 'kind' | 'billing'>): boolean {
  return !alwaysAllowed(classification) && classification.billing === 'wallet';
}

/** What the app must ask before an allowed call. */
export function confirmationFor(classification: Pick<NumberClassification, 'kind' | 'billing' | 'paidService'>): CallConfirmation {
  if (!walletPaid(classification)) return 'none';
  return isPremiumKind(classification.kind) || classification.paidService ? 'premium' : 'paid';
}

/** The first rule before money that refuses the call; null when none does (emergency: never). */
export function refusalBeforeFunds(facts: CallRuleFacts): Exclude<CallRefusal, FundsRefusal> | null {
  const { classification } = facts;
  if (alwaysAllowed(classification)) return null;
  if (facts.caller === null) return 'unknown_caller';
  if (classification.billing === 'refused') return 'invalid';
  if (highRiskKinds.has(classification.kind) && !facts.highRiskAllowed) return 'class_blocked';
  if (barredBy(classification, facts.caller.barring) !== null) return 'barred';
  if (walletPaid(classification) && facts.rate === null) return 'no_rate';
  return null;
}

/** What is left for one more call: `balance − others`, and the cap's `cap − spent today − others`. */
export function fundsLeft(args: {
  readonly balanceMinor: number;
  /** Every other call's active reservation. */
  readonly otherReservedMinor: number;
  readonly dailyCapMinor: number | null;
  /** Call charges since the start of the UTC day (ignored without a cap). */
  readonly spentTodayMinor: number;
}): Pick<FundingFacts, 'availableMinor' | 'dailyCapLeftMinor'> {
  return {
    availableMinor: Math.max(0, args.balanceMinor - args.otherReservedMinor),
    dailyCapLeftMinor: args.dailyCapMinor === null ? null : Math.max(0, args.dailyCapMinor - args.spentTodayMinor - args.otherReservedMinor),
  };
}

/**
 * The longest call at `tariff` that the wallet, the daily cap and the caller's monthly budget all fund in
 * full, capped at the service maximum (`maxFundedSeconds`), and the reservation that covers it. The wallet
 * is looked at first: when it funds nothing the refusal is `insufficient_funds`, whatever the limits;
 * `daily_cap` only when the wallet would fund the call and the cap does not; `monthly_budget` only when
 * the wallet and the cap would and the budget does not.
 */
export function fundCall(tariff: Tariff, funding: FundingFacts): FundedCall {
  const fund = (minor: number) => maxFundedSeconds(tariff, Math.max(0, minor), funding.currency, funding.maxCallSeconds);
  const walletSeconds = fund(funding.availableMinor);
  if (walletSeconds === 0) return { refusal: 'insufficient_funds', maxDurationSeconds: 0, reservedMinor: 0 };
  const capSeconds = funding.dailyCapLeftMinor === null ? walletSeconds : fund(funding.dailyCapLeftMinor);
  if (capSeconds === 0) return { refusal: 'daily_cap', maxDurationSeconds: 0, reservedMinor: 0 };
  const budgetLeftMinor = funding.budgetLeftMinor ?? null;
  const budgetSeconds = budgetLeftMinor === null ? walletSeconds : fund(budgetLeftMinor);
  if (budgetSeconds === 0) return { refusal: 'monthly_budget', maxDurationSeconds: 0, reservedMinor: 0 };
  const maxDurationSeconds = Math.min(walletSeconds, capSeconds, budgetSeconds);
  return { refusal: null, maxDurationSeconds, reservedMinor: callCostMinor(tariff, maxDurationSeconds, funding.currency) };
}

/** The whole decision from the facts: every rule in order, then the funded duration. */
export function decideCall(facts: CallFacts): CallVerdict {
  const { classification } = facts;
  if (alwaysAllowed(classification)) return { allowed: true, charged: false, confirm: 'none', maxDurationSeconds: facts.maxCallSeconds };
  const refusal = refusalBeforeFunds(facts);
  if (refusal !== null) return { allowed: false, reason: refusal };
  // Past no_rate, a wallet-paid call has its rate; anything else (internal, included, toll-free) is free.
  if (!walletPaid(classification) || facts.rate === null) {
    return { allowed: true, charged: false, confirm: 'none', maxDurationSeconds: facts.maxCallSeconds };
  }
  const funded = fundCall(facts.rate, facts);
  if (funded.refusal !== null) return { allowed: false, reason: funded.refusal };
  return { allowed: true, charged: true, confirm: confirmationFor(classification), maxDurationSeconds: funded.maxDurationSeconds };
}
