/**
 * The display name as it may go into our From header: SIP.js 0.21 writes it between double quotes with no
 * escaping at all (NameAddrHeader.toString: `'"' + displayName + '" '`), so a `"` ends the quoted string
 * and a CR/LF starts a new header: a name such as `Alice" <sip:+33899123456@…>` or one with a line break
 * would forge the caller's identity or add headers. RFC 3261 25.1 quoted-string allows `\"` escapes, but
 * proxies and phones differ in how they undo them; dropping the characters is the safe subset.
 *
 * Local guard until the shared sanitizer (shared/sip/display-name.ts, issue 8) exists; then call that.
 */

/** Longest display name we send, in characters (matches `sipAccountSchema.displayName`). */
export const maxDisplayNameLength = 64;

// C0 and C1 controls and DEL (CR, LF, NUL, TAB...), line/paragraph separators, and the bidi overrides and
// isolates that would let a name display as another one.
// eslint-disable-next-line no-control-regex
const unsafe = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069"\\]/gu;

/** A display name safe to quote in a SIP header, or `fallback` when nothing printable is left. */
export function headerDisplayName(name: string | undefined, fallback: string): string {
  const cleaned = (name ?? '').replace(unsafe, ' ').replace(/\s+/gu, ' ').trim();
  const limited = [...cleaned].slice(0, maxDisplayNameLength).join('').trim();
  return limited === '' ? fallback : limited;
}
