/**
 * The user's display name on its way into a SIP header (the From of our calls). SIP.js 0.21 writes it
 * between double quotes without escaping (NameAddrHeader.toString: `'"' + displayName + '" '`), so a `"`
 * would end the quoted string and a CR/LF would start a new header: `Alice" <sip:+33899123456@…>` forges
 * the caller, `Alice\r\nX-Injected: yes` adds a header. RFC 3261 §25.1 allows `\"` and `\\` escapes in a
 * quoted-string, but proxies and phones differ in how they undo them, so quotes and backslashes are dropped
 * rather than escaped: what remains is plain text every parser reads the same way.
 *
 * One rule for the manager (validation on the way in, the sip-config on the way out) and the app (before
 * SIP.js). Pure: no DOM, no Node.
 */

/** Longest display name stored or sent, in characters (Unicode code points). */
export const maxDisplayNameLength = 64;

// C0 and C1 controls and DEL (NUL, TAB, CR, LF...), line and paragraph separators, lone surrogates (not
// encodable as UTF-8), zero-width space, LRM/RLM, the bidi embeddings, overrides and isolates (a name that
// displays as another one), the BOM.
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]|\p{Cs}/u;
// eslint-disable-next-line no-control-regex
const unsafeInHeader = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF"\\]|\p{Cs}/gu;

/** Why `name` cannot be stored as a user's display name, or null when it can. */
export function displayNameProblem(name: string): 'empty' | 'too_long' | 'control_characters' | null {
  if (name.trim() === '') return 'empty';
  if ([...name].length > maxDisplayNameLength) return 'too_long';
  if (controlCharacters.test(name)) return 'control_characters';
  return null;
}

/**
 * `name` made safe to quote in a SIP header: controls, separators, bidi controls, quotes and backslashes
 * become spaces, runs of white space one space, trimmed, at most {@link maxDisplayNameLength} code points
 * (never half a surrogate pair); `fallback` (e.g. the extension) when nothing printable is left.
 */
export function headerDisplayName(name: string | null | undefined, fallback: string): string {
  const cleaned = (name ?? '').replace(unsafeInHeader, ' ').replace(/\s+/gu, ' ').trim();
  const limited = [...cleaned].slice(0, maxDisplayNameLength).join('').trim();
  return limited === '' ? fallback : limited;
}
