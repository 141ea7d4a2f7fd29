/**
 * Writes manager/data/sample-rate-deck.csv: SAMPLE prices for every country of the calling-code table,
 * realistic in shape (per region, mobiles dearer than landlines, paid services and satellite far dearer)
 * but invented. Deterministic: the same table always gives the same file. Run with
 * `npx tsx manager/scripts/generate-sample-deck.ts`.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { callingCodes, callingPrefixes, countryName } from '../../shared/numbering/calling-codes';
import { nationalPlans } from '../../shared/numbering/national-plans';
import { formatRateAmount, rateDeckColumns } from '../../shared/rating/rate-deck';

const out = fileURLToPath(new URL('../data/sample-rate-deck.csv', import.meta.url));

/** A stable number in [0, 1) per label, so prices vary between countries without a random seed. */
function unit(label: string): number {
  return createHash('sha256').update(label).digest().readUInt32BE(0) / 2 ** 32;
}

/** Landline price range per world numbering zone (first digit of the calling code), in rate units. */
const zoneRanges: Record<string, readonly [number, number]> = {
  '1': [100, 300], '2': [1500, 4500], '3': [150, 600], '4': [150, 600], '5': [500, 2500],
  '6': [400, 3000], '7': [500, 1200], '8': [200, 1500], '9': [500, 3500],
};

function landlinePrice(country: string, prefix: string): number {
  const [low, high] = zoneRanges[prefix[0] ?? '3'] ?? [500, 2000];
  // Caribbean NANP islands are priced like small remote networks, not like the US.
  const caribbean = prefix.startsWith('1') && prefix.length === 4 && country !== 'CA' && country !== 'US';
  const base = caribbean ? 1500 + Math.round(unit(country) * 2000) : low + Math.round(unit(country) * (high - low));
  return Math.round(base / 10) * 10;
}

function increment(country: string): string {
  const pick = unit(`${country}:inc`);
  return pick < 0.6 ? '30/6' : pick < 0.85 ? '60/60' : '1/1';
}

const rows: string[][] = [];
const seen = new Set<string>();
const add = (prefix: string, destination: string, country: string, type: string, price: number, fee: number, inc: string): void => {
  if (seen.has(prefix)) return;
  seen.add(prefix);
  rows.push([prefix, destination, country, type, formatRateAmount(price), formatRateAmount(fee), inc, 'EUR']);
};

for (const entry of callingCodes) {
  const price = landlinePrice(entry.country, entry.prefix);
  const inc = increment(entry.country);
  add(entry.prefix, entry.name, entry.country, 'landline', price, 0, inc);
  const plan = nationalPlans[entry.country];
  if (plan) {
    for (const range of plan.ranges) {
      const prefix = plan.callingCode + range.prefix;
      switch (range.type) {
        case 'mobile':
          add(prefix, `${entry.name} - Mobile`, entry.country, 'mobile', Math.round(price * (2 + unit(prefix) * 2) / 10) * 10, 0, inc);
          break;
        case 'premium':
          add(prefix, `${entry.name} - Premium-rate services`, entry.country, 'premium', 8000 + Math.round(unit(prefix) * 20) * 100, 1500, '60/60');
          break;
        case 'shared-cost':
          add(prefix, `${entry.name} - Shared-cost services`, entry.country, 'shared-cost', 1500 + Math.round(unit(prefix) * 10) * 100, 500, '60/60');
          break;
        case 'toll-free':
          add(prefix, `${entry.name} - Freephone`, entry.country, 'toll-free', 0, 0, '60/60');
          break;
        case 'landline':
          add(prefix, entry.name, entry.country, 'landline', price, 0, inc);
          break;
        case 'other':
          add(prefix, `${entry.name} - Other services`, entry.country, 'other', price * 3, 0, inc);
          break;
      }
    }
  } else {
    // Everywhere else, one mobile row under the country code shape most decks use: "<cc>" + a typical mobile digit.
    add(`${entry.prefix}${entry.prefix.length >= 4 ? '' : String(7 + Math.floor(unit(`${entry.country}:m`) * 3))}`, `${entry.name} - Mobile`, entry.country, 'mobile', Math.round(price * (1.5 + unit(`${entry.country}:mp`)) / 10) * 10, 0, inc);
  }
}

// Extra prefixes of shared codes (Canadian area codes, ...) at their country's landline price.
for (const { prefix, country } of callingPrefixes) {
  add(prefix, countryName(country), country, 'landline', landlinePrice(country, prefix), 0, increment(country));
}

// French short codes (ARCEP): directory enquiries 118XYZ and 3BPQ value-added numbers.
add('FR:118', 'France - Directory enquiries (118)', 'FR', 'directory', 15000, 9000, '60/60');
add('FR:3', 'France - Service numbers (3BPQ)', 'FR', 'premium', 8000, 0, '60/60');
// International networks without a country (ITU-T E.164 global services).
add('870', 'Inmarsat (satellite)', 'XS', 'high-cost', 59000, 0, '60/60');
add('881', 'Global Mobile Satellite System', 'XS', 'high-cost', 79000, 0, '60/60');
add('882', 'International networks', 'XS', 'high-cost', 49000, 0, '60/60');
add('883', 'International networks', 'XS', 'high-cost', 39000, 0, '60/60');
add('979', 'International premium-rate service', 'XS', 'premium', 99000, 0, '60/60');
add('808', 'International shared-cost service', 'XS', 'shared-cost', 9000, 0, '60/60');

rows.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
const quote = (field: string): string => (/[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
const text = [
  '# Cabine SAMPLE rate deck: SAMPLE PRICES for demonstration and tests, not a real tariff. version=sample-2025.1',
  '# Generated by manager/scripts/generate-sample-deck.ts from shared/numbering/calling-codes.ts. Prices in EUR per minute.',
  rateDeckColumns.join(','),
  ...rows.map((row) => row.map(quote).join(',')),
  '',
].join('\n');
writeFileSync(out, text);
console.log(`wrote ${rows.length} rates to ${out}`);
