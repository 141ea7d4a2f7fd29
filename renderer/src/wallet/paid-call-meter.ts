/**
 * The running cost and the time left of a paid call, from the quote the user accepted: the same tariff
 * arithmetic the manager charges with (shared/rating/tariff.ts), so the screen and the bill agree.
 */
import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import { callCostMinor, maxFundedSeconds, maxPricedSeconds } from '../../../shared/rating/tariff.js';
import { tariffOf } from './wallet-format.js';

export interface MeterReading {
  readonly costMinor: number;
  /** Seconds the balance still pays for; null when unknown (no rate). */
  readonly secondsLeft: number | null;
  /** One minute or less before the funds run out. */
  readonly warning: boolean;
}

export const warningSeconds = 60;

export function readMeter(quote: QuoteResponse, answeredSeconds: number): MeterReading {
  if (quote.rate === null) return { costMinor: 0, secondsLeft: null, warning: false };
  const tariff = tariffOf(quote.rate);
  const elapsed = Math.min(Math.max(0, Math.floor(answeredSeconds)), maxPricedSeconds);
  const costMinor = callCostMinor(tariff, elapsed, quote.currency);
  const funded = maxFundedSeconds(tariff, quote.balanceMinor, quote.currency, maxPricedSeconds);
  const secondsLeft = Math.max(0, funded - elapsed);
  return { costMinor, secondsLeft, warning: secondsLeft <= warningSeconds };
}
