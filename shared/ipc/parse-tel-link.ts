/**
 * Turns a `tel:`, `sip:` or `callto:` link into the string the dialer should dial, or null.
 *
 * Links arrive from outside the app (a web page, another program, the OS), through argv or macOS
 * `open-url`, so this parser is strict: it knows three schemes, bounds every length, decodes percent
 * escapes once, and returns only characters a dialer accepts. It never returns a host: a `sip:` link
 * dials its user part through the user's own SIP account, so a link cannot point the app at another
 * server.
 *
 * - `tel:` follows RFC 3966 section 3: parameters after `;` are dropped and visual separators
 *   (space, `-`, `.`, `(`, `)`) removed. https://www.rfc-editor.org/rfc/rfc3966#section-3
 * - `sip:` follows RFC 3261 section 19.1.1: `sip:user@host;params?headers`; the user part must be a
 *   telephone number or an extension name. https://www.rfc-editor.org/rfc/rfc3261#section-19.1.1
 * - `callto:` has no RFC; browsers and Skype write `callto:NUMBER` or `callto://NUMBER`.
 */

/** Longest link accepted; real ones are far shorter, and this bounds the work on hostile input. */
export const maxLinkLength = 2048;

/** Longest dialable string returned; matches the history's `number` bound with room to spare. */
export const maxDialableLength = 32;

const visualSeparators = /[\s\-.()]/g;
/** E.164 allows at most 15 digits after the `+` (ITU-T E.164 section 6.1). */
const internationalNumber = /^\+[1-9][0-9]{1,14}$/;
/** National numbers, short codes and feature codes (`*21#`). */
const localNumber = /^[0-9*#]{1,32}$/;
/** Extension names: the SIP username alphabet of `sipAccountSchema`, minus `+` which marks numbers. */
const extensionName = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,31}$/;
const hostName = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:[0-9]{1,5})?$/;
// eslint-disable-next-line no-control-regex -- the point is to reject control characters
const controlCharacters = /[\u0000-\u001f\u007f]/;

function decodeOnce(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function asNumber(text: string): string | null {
  const compact = text.replace(visualSeparators, '');
  if (internationalNumber.test(compact) || localNumber.test(compact)) return compact;
  return null;
}

function asNumberOrExtension(text: string): string | null {
  const number = asNumber(text);
  if (number !== null) return number;
  return extensionName.test(text) ? text : null;
}

function parseTel(rest: string): string | null {
  const [subscriber = ''] = rest.split(';', 1);
  const decoded = decodeOnce(subscriber);
  return decoded === null ? null : asNumber(decoded);
}

function parseSip(rest: string): string | null {
  const [beforeHeaders = ''] = rest.split('?', 1);
  const at = beforeHeaders.lastIndexOf('@');
  // A SIP URI without a user part names a server, not someone to call.
  if (at <= 0) return null;
  const userInfo = beforeHeaders.slice(0, at);
  const [host = ''] = beforeHeaders.slice(at + 1).split(';', 1);
  if (!hostName.test(host)) return null;
  // `user:password@host` is legal SIP but a password has no business in a link.
  if (userInfo.includes(':')) return null;
  // RFC 3261 19.1.1: `;` parameters inside the user part belong to a telephone-subscriber.
  const [user = ''] = userInfo.split(';', 1);
  const decoded = decodeOnce(user);
  return decoded === null ? null : asNumberOrExtension(decoded);
}

function parseCallto(rest: string): string | null {
  const target = rest.replace(/^\/\//, '').replace(/\/$/, '');
  const [beforeQuery = ''] = target.split('?', 1);
  const decoded = decodeOnce(beforeQuery);
  return decoded === null ? null : asNumberOrExtension(decoded);
}

/**
 * The dialable number or SIP user named by a `tel:`, `sip:` or `callto:` link, or null when the link is
 * anything else, malformed, or too long.
 *
 * @example parseTelLink('tel:+33123456789') === '+33123456789'
 * @example parseTelLink('sip:1002@cabine.test') === '1002'
 * @example parseTelLink('javascript:alert(1)') === null
 */
export function parseTelLink(url: string): string | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > maxLinkLength) return null;
  const trimmed = url.trim();
  if (controlCharacters.test(trimmed)) return null;
  const colon = trimmed.indexOf(':');
  if (colon <= 0) return null;
  const scheme = trimmed.slice(0, colon).toLowerCase();
  const rest = trimmed.slice(colon + 1);
  if (rest.length === 0) return null;
  let dialable: string | null;
  switch (scheme) {
    case 'tel':
      dialable = parseTel(rest);
      break;
    case 'sip':
      dialable = parseSip(rest);
      break;
    case 'callto':
      dialable = parseCallto(rest);
      break;
    default:
      return null;
  }
  if (dialable === null || dialable.length > maxDialableLength || controlCharacters.test(dialable)) return null;
  return dialable;
}
