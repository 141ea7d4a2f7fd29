import type { CurrencyCode } from '../money/currency';
import { isCurrencyCode } from '../money/currency';
import type { BillingIncrement, Tariff } from './tariff';
import { assertValidTariff, maxRateUnits, rateScaleDigits } from './tariff';

/** Number types a deck row can price; the classifier's paid kinds map onto them. */
export const rateNumberTypes = ['landline', 'mobile', 'premium', 'shared-cost', 'directory', 'high-cost', 'toll-free', 'other'] as const;
export type RateNumberType = (typeof rateNumberTypes)[number];

/** One row of a rate deck. */
export interface RateRow extends Tariff {
  /** E.164 digits without '+' (4420), or '<ISO>:<digits>' for a national short-code range (FR:118). */
  readonly prefix: string;
  readonly destination: string;
  /** ISO 3166-1 alpha-2, or 'XS' for international networks (satellite, +979...: `nonGeographicRateCountry`). */
  readonly country: string;
  readonly numberType: RateNumberType;
}

/** A parsed, validated deck: one currency, a version stamped on every charge. */
export interface RateDeck {
  readonly version: string;
  readonly currency: CurrencyCode;
  readonly rows: readonly RateRow[];
}

/** One problem found while parsing, with its 1-based line. */
export interface RateDeckIssue {
  readonly line: number;
  readonly message: string;
}

/** Thrown by `parseRateDeck` with every problem found, so a bad deck is fixed in one pass. */
export class RateDeckError extends Error {
  readonly issues: readonly RateDeckIssue[];
  constructor(issues: readonly RateDeckIssue[]) {
    super(`Invalid rate deck: ${issues.slice(0, 5).map((issue) => `line ${issue.line}: ${issue.message}`).join('; ')}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`);
    this.name = 'RateDeckError';
    this.issues = issues;
  }
}

/** The header a deck must start with (after '#' comment lines), in this order. */
export const rateDeckColumns = ['prefix', 'destination', 'country', 'number_type', 'price_per_minute', 'connection_fee', 'increment', 'currency'] as const;

/** Splits one CSV line (RFC 4180 quoting: "a, b" and "" for a quote); null when quotes are unbalanced. */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field.length === 0) {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}

/** Parses "0.0230" (major units, at most 4 decimals) into rate units (230). */
export function parseRateAmount(text: string): number | null {
  const match = /^(\d{1,4})(?:\.(\d{1,4}))?$/.exec(text);
  if (!match) return null;
  const [, whole = '0', fraction = ''] = match;
  const value = Number(whole + fraction.padEnd(rateScaleDigits, '0'));
  return value <= maxRateUnits ? value : null;
}

/** Formats rate units as an exact decimal in major units ("0.0230"). */
export function formatRateAmount(units: number): string {
  const digits = String(units).padStart(rateScaleDigits + 1, '0');
  return `${digits.slice(0, -rateScaleDigits)}.${digits.slice(-rateScaleDigits)}`;
}

function parseIncrement(text: string): BillingIncrement | null {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text);
  if (!match) return null;
  const first = Number(match[1]);
  const next = Number(match[2]);
  if (first < 1 || next < 1 || first > 3600 || next > 3600) return null;
  return { first, next };
}

const prefixPattern = /^(?:[1-9]\d{0,14}|[A-Z]{2}:\d{1,6})$/;

/**
 * Parses and validates a CSV deck. Lines starting with '#' are comments; a comment 'version=<id>' names the
 * deck. The version stamped on charges is that id plus a digest of the content (`contentDigest`, computed by
 * the caller, since shared/ has no crypto), so two different files never share a version.
 */
export function parseRateDeck(csv: string, contentDigest: string): RateDeck {
  const issues: RateDeckIssue[] = [];
  const rows: RateRow[] = [];
  const seen = new Map<string, number>();
  let declaredVersion = 'unversioned';
  let currency: CurrencyCode | null = null;
  let headerSeen = false;
  const lines = csv.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.trim();
    if (line.length === 0) return;
    if (line.startsWith('#')) {
      const version = /version=([A-Za-z0-9._-]{1,64})/.exec(line);
      if (version?.[1]) declaredVersion = version[1];
      return;
    }
    const fields = splitCsvLine(line);
    if (!fields) {
      issues.push({ line: lineNumber, message: 'unbalanced quotes' });
      return;
    }
    if (!headerSeen) {
      headerSeen = true;
      if (fields.join(',') !== rateDeckColumns.join(',')) {
        issues.push({ line: lineNumber, message: `header must be ${rateDeckColumns.join(',')}` });
      }
      return;
    }
    if (fields.length !== rateDeckColumns.length) {
      issues.push({ line: lineNumber, message: `expected ${rateDeckColumns.length} fields, got ${fields.length}` });
      return;
    }
    const [prefix = '', destination = '', country = '', numberType = '', price = '', fee = '', incrementText = '', rowCurrency = ''] = fields.map((field) => field.trim());
    const before = issues.length;
    if (!prefixPattern.test(prefix)) issues.push({ line: lineNumber, message: `bad prefix ${JSON.stringify(prefix)}` });
    if (destination.length === 0 || destination.length > 100) issues.push({ line: lineNumber, message: 'destination must be 1-100 characters' });
    if (!/^[A-Z]{2}$/.test(country)) issues.push({ line: lineNumber, message: `bad country ${JSON.stringify(country)}` });
    if (!(rateNumberTypes as readonly string[]).includes(numberType)) issues.push({ line: lineNumber, message: `bad number_type ${JSON.stringify(numberType)}` });
    const pricePerMinute = parseRateAmount(price);
    if (pricePerMinute === null) issues.push({ line: lineNumber, message: `bad price_per_minute ${JSON.stringify(price)}` });
    const connectionFee = parseRateAmount(fee);
    if (connectionFee === null) issues.push({ line: lineNumber, message: `bad connection_fee ${JSON.stringify(fee)}` });
    const increment = parseIncrement(incrementText);
    if (!increment) issues.push({ line: lineNumber, message: `bad increment ${JSON.stringify(incrementText)} (want first/next, e.g. 60/60)` });
    if (!isCurrencyCode(rowCurrency)) {
      issues.push({ line: lineNumber, message: `bad currency ${JSON.stringify(rowCurrency)}` });
    } else if (currency === null) {
      currency = rowCurrency;
    } else if (currency !== rowCurrency) {
      issues.push({ line: lineNumber, message: `currency ${rowCurrency} differs from the deck's ${currency}` });
    }
    // One row per prefix, country and type: "1" may be the US landline row and also the Canadian one, since
    // rating keys name the country (rating-key.ts).
    const rowKey = `${prefix}/${country}/${numberType}`;
    const duplicateOf = seen.get(rowKey);
    if (duplicateOf !== undefined) issues.push({ line: lineNumber, message: `prefix ${prefix} (${country} ${numberType}) already on line ${duplicateOf}` });
    if (issues.length > before || pricePerMinute === null || connectionFee === null || !increment) return;
    seen.set(rowKey, lineNumber);
    const row: RateRow = { prefix, destination, country, numberType: numberType as RateNumberType, pricePerMinute, connectionFee, increment };
    assertValidTariff(row);
    rows.push(row);
  });
  if (!headerSeen) issues.push({ line: 1, message: 'missing header' });
  if (rows.length === 0 && issues.length === 0) issues.push({ line: 1, message: 'no rates' });
  if (issues.length > 0 || currency === null) throw new RateDeckError(issues);
  return { version: `${declaredVersion}+${contentDigest.slice(0, 12)}`, currency, rows };
}
