import type { RegistrationRejection } from './sip-events.js';

/**
 * Whether a final REGISTER failure is the user's to fix (then we stop retrying: hammering a registrar with
 * a wrong password only gets the address banned) or the server's (then we retry with backoff).
 * SIP.js answers the first 401/407 challenge itself; a second one means the credentials were refused
 * (RFC 3261 22.2). 403: the account exists but may not register (disabled, wrong domain).
 */
export function registrationRejectionFor(statusCode: number): RegistrationRejection | null {
  switch (statusCode) {
    case 401:
    case 407:
      return 'credentials';
    case 403:
      return 'forbidden';
    default:
      return null;
  }
}

/** Retry-After in seconds (RFC 3261 20.33), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d{1,6})/.exec(value);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** DTMF characters RTCDTMFSender accepts (RFC 4733 events 0-15; ',' is a 2 s pause). */
export function isDtmfTones(tones: string): boolean {
  return /^[0-9A-Da-d#*,]{1,64}$/.test(tones);
}
