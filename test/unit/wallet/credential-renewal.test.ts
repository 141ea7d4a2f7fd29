import { describe, expect, it } from 'vitest';
import { credentialRenewalDelayMs, minimumRenewalMarginMs } from '../../../renderer/src/wallet/credential-renewal.js';

const hour = 3_600_000;
const issued = Date.parse('2026-11-27T08:00:00Z');

describe('renewing the time-limited SIP credentials', () => {
  it('renews at 80% of a 12 h lifetime', () => {
    expect(credentialRenewalDelayMs('2026-11-27T20:00:00Z', issued, issued)).toBe(34_560_000) // 9 h 36 min;
  });

  it('keeps at least 10 minutes of margin on short lifetimes', () => {
    // 30 min lifetime: 80% would leave 6 min; the margin wins.
    expect(credentialRenewalDelayMs('2026-11-27T08:30:00Z', issued, issued)).toBe(30 * 60_000 - minimumRenewalMarginMs);
  });

  it('renews at once when already due, expired, or unreadable', () => {
    expect(credentialRenewalDelayMs('2026-11-27T20:00:00Z', issued, issued + 11 * hour)).toBe(0);
    expect(credentialRenewalDelayMs('2026-11-27T07:00:00Z', issued, issued)).toBe(0);
    expect(credentialRenewalDelayMs('not a date', issued, issued)).toBe(0);
  });
});
