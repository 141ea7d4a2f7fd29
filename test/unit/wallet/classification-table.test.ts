// The classification table as the app uses it: what the gate sees for each class of number, in French and
// British formats, typed (digits only) and pasted (with spaces, dots, dashes, brackets).
import { describe, expect, it } from 'vitest';
import { classifyNumber, type NumberKind } from '../../../shared/numbering/classify.js';
import { needsQuote } from '../../../renderer/src/wallet/gate-decision.js';
import { isEmergencyDial } from '../../../shared/dial/emergency-dial.js';

const table: ReadonlyArray<readonly [country: string, dialed: string, kind: NumberKind]> = [
  // France, typed
  ['FR', '112', 'emergency'],
  ['FR', '15', 'emergency'],
  ['FR', '17', 'emergency'],
  ['FR', '18', 'emergency'],
  ['FR', '114', 'emergency'],
  ['FR', '115', 'emergency'],
  ['FR', '119', 'emergency'],
  ['FR', '191', 'emergency'],
  ['FR', '196', 'emergency'],
  ['FR', '197', 'emergency'],
  ['FR', '116000', 'emergency'],
  ['FR', '116117', 'emergency'],
  ['FR', '1002', 'internal'],
  ['FR', '0123456789', 'included'],
  ['FR', '0612345678', 'included'],
  ['FR', '0800123456', 'toll-free'],
  ['FR', '0899123456', 'premium'],
  ['FR', '0810123456', 'shared-cost'],
  ['FR', '118712', 'directory'],
  ['FR', '3900', 'premium'],
  ['FR', '+16502530000', 'international'],
  ['FR', '0016502530000', 'international'],
  ['FR', '+442079460000', 'included'],
  ['FR', '+447400900123', 'international'],
  ['FR', '+881612345678', 'high-cost'],
  ['FR', '+870772123456', 'high-cost'],
  // France, pasted
  ['FR', '01 23 45 67 89', 'included'],
  ['FR', '08.99.12.34.56', 'premium'],
  ['FR', '+1 (650) 253-0000', 'international'],
  ['FR', '00 1 650 253 0000', 'international'],
  ['FR', '1 1 2', 'emergency'],
  ['FR', '+33 8 99 12 34 56', 'premium'],
  // Another country: a caller in the United Kingdom
  ['GB', '999', 'emergency'],
  ['GB', '112', 'emergency'],
  ['GB', '020 7946 0000', 'included'],
  ['GB', '+33 1 23 45 67 89', 'included'],
  ['GB', '+1 650 253 0000', 'international'],
];

describe('classification table as the app uses it', () => {
  it.each(table)('%s %s → %s', (country, dialed, kind) => {
    const result = classifyNumber({ dialed, callerCountry: country });
    expect(result.kind).toBe(kind);
    // Only wallet-paid kinds ask the manager for a quote.
    expect(needsQuote(result)).toBe(result.billing === 'wallet');
    expect(isEmergencyDial(dialed, country)).toBe(kind === 'emergency');
  });

  it('quotes every paid kind and nothing free', () => {
    for (const [country, dialed, kind] of table) {
      const paid = ['international', 'premium', 'shared-cost', 'directory', 'high-cost'].includes(kind);
      expect(needsQuote(classifyNumber({ dialed, callerCountry: country })), `${country} ${dialed}`).toBe(paid);
    }
  });
});
