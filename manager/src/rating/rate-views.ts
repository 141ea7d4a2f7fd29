import type { QuoteResponse, RateView } from '../../../shared/api/rate-schemas';
import type { WalletView } from '../../../shared/api/wallet-schemas';
import type { CallBarring } from '../../../shared/billing/barring';
import { barredBy } from '../../../shared/billing/barring';
import type { CallingPlan } from '../../../shared/numbering/calling-plan';
import { classifyNumber, highRiskKinds } from '../../../shared/numbering/classify';
import type { RateRow } from '../../../shared/rating/rate-deck';
import { formatRateAmount } from '../../../shared/rating/rate-deck';
import { findRate } from '../../../shared/rating/rate-index';
import { callCostMinor, maxFundedSeconds } from '../../../shared/rating/tariff';
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

/** What a call to `number` would cost this user now, with the warnings the app should show. */
export function buildQuote(args: {
  number: string; company: CompanyRow; barring: CallBarring; wallet: WalletView; rates: RateCatalog; plan: CallingPlan; maxCallSeconds: number;
}): QuoteResponse {
  const { company, wallet } = args;
  const classification = classifyNumber({ dialed: args.number, callerCountry: company.country, plan: args.plan });
  const warnings: QuoteResponse['warnings'] = [];
  // The rule authorizeCall applies (shared/billing/barring.ts), so the app refuses what the proxy would.
  const barring = barredBy(classification, args.barring);
  const rate = classification.billing === 'wallet' && classification.ratingKey ? findRate(args.rates.index, classification.ratingKey) : null;
  let minutes: number | null = null;
  let firstMinute: number | null = null;
  if (classification.billing === 'refused') warnings.push('invalid_number');
  if (classification.billing === 'wallet') {
    if (classification.paidService) warnings.push('paid_service');
    if (classification.kind === 'high-cost') warnings.push('high_cost');
    if (highRiskKinds.has(classification.kind) && !company.highRiskAllowed) warnings.push('class_blocked');
    if (barring) warnings.push('barred');
    if (!rate) {
      warnings.push('no_rate');
    } else {
      let available = wallet.availableMinor;
      let capLimited = false;
      if (wallet.dailyCapMinor !== null) {
        const capLeft = Math.max(0, wallet.dailyCapMinor - wallet.spentTodayMinor - wallet.reservedMinor);
        if (capLeft < available) {
          available = capLeft;
          capLimited = true;
        }
      }
      const seconds = maxFundedSeconds(rate, available, company.currency, args.maxCallSeconds);
      minutes = Math.floor(seconds / 60);
      firstMinute = callCostMinor(rate, 60, company.currency);
      // Same reasons, in the same order, as authorizeCall would refuse with.
      if (seconds === 0) warnings.push(capLimited ? 'daily_cap' : 'insufficient_funds');
    }
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
    minutesAffordable: minutes,
    costOfFirstMinuteMinor: firstMinute,
    warnings,
    barredBy: barring,
  };
}
