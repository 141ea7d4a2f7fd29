/**
 * The manager's SIP credentials are time-limited (Kamailio auth_ephemeral; 12 h by default). A phone left
 * signed in longer would see its next REGISTER refresh refused and stop, so the wallet fetches fresh ones
 * before they run out: at 80% of their lifetime, and at least 10 minutes before the end.
 */
export const minimumRenewalMarginMs = 10 * 60_000;

/** Milliseconds from `now` until fresh credentials should be fetched (0: now). */
export function credentialRenewalDelayMs(expiresAt: string, issuedAt: number, now: number): number {
  const expires = Date.parse(expiresAt);
  if (!Number.isFinite(expires)) return 0;
  const lifetime = Math.max(0, expires - issuedAt);
  const renewAt = Math.min(issuedAt + Math.floor((lifetime * 4) / 5), expires - minimumRenewalMarginMs);
  return Math.max(0, renewAt - now);
}
