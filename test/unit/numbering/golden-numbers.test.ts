import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sampleRateDeckPath } from '../../../manager/src/config';
import { classifyNumber } from '../../../shared/numbering';
import { callCostMinor, findRate, indexRateDeck, parseRateDeck, splitCsvLine } from '../../../shared/rating';

/**
 * The golden table (golden-numbers.csv): every row pins how one dialled string is classified for a caller
 * country (E.164, country, line type, kind, billing) and what the shipped SAMPLE deck charges for it (the
 * row's prefix, its price per minute, a one-minute call in cents). Classification comes from
 * libphonenumber-js/max and the hand tables of shared/numbering; a libphonenumber update that moves a
 * number shows up here, row by row.
 */
const table = readFileSync(fileURLToPath(new URL('./golden-numbers.csv', import.meta.url)), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0 && !line.startsWith('#'))
  .map((line) => splitCsvLine(line) ?? []);
const [header = [], ...rows] = table;
const index = indexRateDeck(parseRateDeck(readFileSync(sampleRateDeckPath, 'utf8'), '0'.repeat(12)));

describe('golden table of numbers', () => {
  it('has the agreed shape: at least 200 numbers across at least 30 countries', () => {
    expect(header).toEqual(['dialled', 'dial_country', 'e164', 'country', 'line_type', 'kind', 'billing', 'rate_prefix', 'price_per_minute_units', 'first_minute_minor']);
    expect(rows.length).toBeGreaterThanOrEqual(200);
    expect(new Set(rows.map((row) => row[3]).filter((country) => country !== '')).size).toBeGreaterThanOrEqual(30);
    expect(new Set(rows.map((row) => `${row[0]}|${row[1]}`)).size).toBe(rows.length);
  });

  it.each(rows.map((row) => [row[0] ?? '', row[1] ?? '', row] as const))('%j dialled in %s', (dialled, dialCountry, row) => {
    const [, , e164, country, lineType, kind, billing, ratePrefix, pricePerMinute, firstMinuteMinor] = row;
    const classification = classifyNumber({ dialed: dialled, callerCountry: dialCountry });
    const rate = classification.ratingKey ? findRate(index, classification.ratingKey) : null;
    expect({
      e164: classification.e164 ?? '',
      country: classification.country ?? '',
      lineType: classification.lineType ?? '',
      kind: classification.kind,
      billing: classification.billing,
      ratePrefix: rate?.prefix ?? '',
      pricePerMinute: rate ? String(rate.pricePerMinute) : '',
      firstMinuteMinor: rate ? String(callCostMinor(rate, 60, 'EUR')) : '',
    }).toEqual({ e164, country, lineType, kind, billing, ratePrefix, pricePerMinute, firstMinuteMinor });
    // Whatever the row, a paid call always has a rate of its own class, and a free one is never rated.
    if (classification.billing === 'wallet') expect(rate).not.toBeNull();
    else expect(classification.ratingKey).toBeNull();
  });
});
