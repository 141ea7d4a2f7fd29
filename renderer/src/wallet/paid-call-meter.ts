/**
 * The running cost and the time left of a paid call. The cost comes from the quote the user accepted,
 * with the tariff arithmetic the manager charges with (shared/rating/tariff.ts), so the screen and the
 * bill agree. The time left comes from the manager's funded time for this very call, pushed on the event
 * stream (`fundedSeconds`: the reservation's maximum, which is where the proxy cuts it; other calls'
 * reservations, the daily cap and extensions after a top-up or a refill included), so the meter and the
 * proxy's cut agree; the quote's balance is only the fallback before the first event.
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

export function readMeter(quote: QuoteResponse, answeredSeconds: number, fundedSeconds: number | null = null): MeterReading {
  if (quote.rate === null) return { costMinor: 0, secondsLeft: null, warning: false };
  const tariff = tariffOf(quote.rate);
  const elapsed = Math.min(Math.max(0, Math.floor(answeredSeconds)), maxPricedSeconds);
  const costMinor = callCostMinor(tariff, elapsed, quote.currency);
  const funded = fundedSeconds ?? maxFundedSeconds(tariff, quote.balanceMinor, quote.currency, maxPricedSeconds);
  // Rounded up: "0:00" only once the proxy's cut has come.
  const secondsLeft = Math.max(0, Math.ceil(funded - Math.max(0, answeredSeconds)));
  return { costMinor, secondsLeft, warning: secondsLeft <= warningSeconds };
}
