import type { QuoteResponse, RateView } from '../../../shared/api/rate-schemas';
import type { WalletView } from '../../../shared/api/wallet-schemas';
import type { CallBarring } from '../../../shared/billing/barring';
import { barredBy } from '../../../shared/billing/barring';
import type { CallFacts } from '../../../shared/billing/call-policy';
import { decideCall, fundCall, fundsLeft, walletPaid } from '../../../shared/billing/call-policy';
import type { CallingPlan } from '../../../shared/numbering/calling-plan';
import { classifyNumber, highRiskKinds } from '../../../shared/numbering/classify';
import type { RateRow } from '../../../shared/rating/rate-deck';
import { formatRateAmount } from '../../../shared/rating/rate-deck';
import { findRate } from '../../../shared/rating/rate-index';
import { callCostMinor } from '../../../shared/rating/tariff';
import type { CompanyRow } from '../store/repository';
import type { RateCatalog } from './rate-catalog';

/** A deck row as the API shows it: exact integers plus their decimal rendering. */
export function rateView(row: RateRow): RateView {
  return {
    prefix: row.prefix,
    destination: row.destination,
    country: row.country,
    numberType: row.numberType,
    pricePerMinute: { units: row.pricePerMinute, decimal: formatRateAmount(row.pricePerMinute) },
    connectionFee: { units: row.connectionFee, decimal: formatRateAmount(row.connectionFee) },
    increment: `${row.increment.first}/${row.increment.next}`,
  };
}

/**
 * What a call to `number` would cost this user now: the call policy's verdict (shared/billing/call-policy.ts,
 * the decision authorizeCall takes, from the same facts) and the warnings the app should show.
 */
export function buildQuote(args: {
  number: string; company: CompanyRow; barring: CallBarring; wallet: WalletView; rates: RateCatalog; plan: CallingPlan; maxCallSeconds: number;
  /** What the caller's monthly budget leaves (manager/src/budgets/); null or absent: no budget. */
  budgetLeftMinor?: number | null;
}): QuoteResponse {
  const { company, wallet } = args;
  // Classified once: the verdict, the warnings and the answer all read this one classification.
  const classification = classifyNumber({ dialed: args.number, callerCountry: company.country, plan: args.plan });
  const rate = walletPaid(classification) && classification.ratingKey ? findRate(args.rates.index, classification.ratingKey) : null;
  // The wallet view's figures are authorize's: reservations of calls in progress, charges since UTC midnight.
  const facts: CallFacts = {
    classification, caller: { barring: args.barring }, highRiskAllowed: company.highRiskAllowed, rate,
    ...fundsLeft({ balanceMinor: wallet.balanceMinor, otherReservedMinor: wallet.reservedMinor, dailyCapMinor: wallet.dailyCapMinor, spentTodayMinor: wallet.spentTodayMinor }),
    budgetLeftMinor: args.budgetLeftMinor ?? null,
    currency: company.currency, maxCallSeconds: args.maxCallSeconds,
  };
  const verdict = decideCall(facts);
  const barring = barredBy(classification, args.barring);
  const funded = rate ? fundCall(rate, facts) : null;
  // Every rule that applies, not only the first (the verdict has that one), in the order the app lists them.
  const warnings: QuoteResponse['warnings'] = [];
  if (classification.billing === 'refused') warnings.push('invalid_number');
  if (classification.billing === 'wallet') {
    if (classification.paidService) warnings.push('paid_service');
    if (classification.kind === 'high-cost') warnings.push('high_cost');
    if (highRiskKinds.has(classification.kind) && !company.highRiskAllowed) warnings.push('class_blocked');
    if (barring) warnings.push('barred');
    if (!rate) warnings.push('no_rate');
    if (funded?.refusal) warnings.push(funded.refusal);
    if (wallet.lowBalance) warnings.push('low_balance');
  }
  return {
    number: args.number,
    e164: classification.e164,
    kind: classification.kind,
    billing: classification.billing,
    country: classification.country,
    rate: rate ? rateView(rate) : null,
    currency: company.currency,
    balanceMinor: wallet.balanceMinor,
    minutesAffordable: funded ? Math.floor(funded.maxDurationSeconds / 60) : null,
    budgetLeftMinor: args.budgetLeftMinor ?? null,
    costOfFirstMinuteMinor: rate ? callCostMinor(rate, 60, company.currency) : null,
    warnings,
    barredBy: barring,
    verdict,
  };
}
