/**
 * The dialer's number handling: what the user typed or pasted becomes one {@link DialTarget}, and only a
 * valid target becomes a SIP Request-URI user part (house style 4: distrust every dialed string).
 *
 * Metadata choice: `libphonenumber-js/max`. The 'min' metadata only knows each region's number lengths, so
 * `isValid()` degenerates to a length check (e.g. GB "0207946000" passes as "valid" with it); 'max' carries
 * the per-type number patterns, so `isValid()` rejects unallocated ranges and typos before a prepaid call is
 * placed, and `getType()` works. It costs about 65 kB more than 'min', which is nothing for a desktop app.
 * Every import of libphonenumber-js in the app must use the same metadata, or two screens disagree.
 */
import { AsYouType, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { assertNever } from '../assert-never.js';
import { emergencyNumbersFor } from '../numbering/emergency-numbers.js';
import { extensionSyntax, isExtensionFor } from '../numbering/extension-range.js';
import { overseasCandidate } from '../numbering/national-dialling.js';
import { shortNumberClassOf } from '../numbering/short-numbers.js';
import type { DialCountry } from '../settings.js';

/** What a dialed string means. Only `invalid` cannot be called. */
export type DialTarget =
  | { kind: 'extension'; extension: string }
  | { kind: 'short-code'; digits: string }
  | {
      kind: 'phone';
      /** E.164 with the leading '+', e.g. "+33123456789". */
      e164: string;
      /** ISO 3166-1 alpha-2 region of the number; undefined for non-geographic numbers (+800, +882…). */
      country: string | undefined;
      /** International format, e.g. "+33 1 23 45 67 89". */
      display: string;
    }
  | { kind: 'invalid'; reason: 'empty' | 'too-long' | 'bad-characters' | 'not-a-number' };

/** Longest dial input accepted (UTF-16 code units of the raw input). E.164 numbers have at most 15 digits. */
export const maxDialInputLength = 32;

/**
 * Company extensions: the syntax (four digits starting with 1 or 2). Whether a string of that shape is an
 * extension or a short number depends on the country (shared/numbering/extension-range.ts: in France the
 * 10YT operator block is a short number); `parseDialString` asks `isExtensionFor`.
 */
export const extensionPattern: RegExp = extensionSyntax;

/**
 * Whether `dial` is a short number of `country`: an emergency number (shared/numbering/emergency-numbers.ts)
 * or a number of the country's short-number table (shared/numbering/short-numbers.ts, with its sources), so
 * the dialer, the wallet gate, the classifier and the SIP proxy agree. libphonenumber-js has no short-number
 * metadata.
 */
export function isShortCode(dial: string, country: DialCountry): boolean {
  return emergencyNumbersFor(country).includes(dial) || shortNumberClassOf(dial, country) !== null;
}

/** International (IDD) prefix per dial country: "00" in Europe (ITU-T E.164 recommendation), "011" in NANP. */
export const internationalPrefixes: Readonly<Record<DialCountry, string>> = {
  FR: '00',
  BE: '00',
  CH: '00',
  LU: '00',
  DE: '00',
  ES: '00',
  IT: '00',
  GB: '00',
  NL: '00',
  PT: '00',
  IE: '00',
  AT: '00',
  US: '011',
  CA: '011',
};

/** Raised by {@link sipUserPart} when asked to dial an invalid target. */
export class InvalidDialTargetError extends Error {
  constructor(readonly reason: Extract<DialTarget, { kind: 'invalid' }>['reason']) {
    super(`Cannot dial an invalid target (${reason})`);
    this.name = 'InvalidDialTargetError';
  }
}

interface NormalisedDial {
  /** `\+?[0-9*#]*` */
  readonly dial: string;
  /** Something other than URI framing or visual separators was dropped (letters, stray '+', symbols). */
  readonly dropped: boolean;
}

// RFC 3966 tel:, the callto: of Skype-era web pages, RFC 3261 sip:/sips:. "Tel: " labels match too.
const uriSchemePattern = /^(?:tel|callto|sips?):(?:\/\/)?/i;
// URI parameters (RFC 3966 ";phone-context", ";ext"), SIP host part and headers: not part of the number.
const uriTailPattern = /[;@?]/;
// Visual separators of RFC 3966 section 5.1.1 plus what word processors and web pages paste: every Unicode
// space (NBSP, narrow NBSP), dash punctuation, U+2212 minus sign.
const separatorPattern = /[\s./()\p{Pd}\u2212]/u;
// Invisible format characters (bidi marks, zero-width spaces, soft hyphen) that Outlook and Teams paste.
const formatCharacterPattern = /\p{Cf}/gu;
const decimalDigitPattern = /^\p{Nd}$/u;
// "+33 (0)1 23 45 67 89": the bracketed national trunk prefix, written for readers dialing from home.
const bracketedTrunkPrefixPattern = /\(\s*0\s*\)/;

/**
 * The value of a Unicode decimal digit. Every `Nd` run in Unicode is made of complete, ordered 0–9 blocks,
 * so a digit's value is its distance from the start of its run, modulo 10. NFKC has already folded the
 * fullwidth and mathematical digits to ASCII; this covers Arabic-Indic, Devanagari and the like.
 */
function decimalDigitValue(codePoint: number): number {
  let start = codePoint;
  // The longest Nd run (mathematical digits, U+1D7CE–U+1D7FF) is 50 code points.
  while (start > 0 && codePoint - start < 64 && decimalDigitPattern.test(String.fromCodePoint(start - 1))) {
    start -= 1;
  }
  return (codePoint - start) % 10;
}

function normaliseDialInput(text: string, country: DialCountry, mapInternationalPrefix: boolean): NormalisedDial {
  const internationalPrefix = internationalPrefixes[country];
  let rest = text.normalize('NFKC').replace(formatCharacterPattern, '').trim().replace(uriSchemePattern, '');
  rest = rest.split(uriTailPattern, 1)[0] ?? '';
  const trimmed = rest.trimStart();
  if (trimmed.startsWith('+') || trimmed.startsWith(internationalPrefix)) {
    rest = rest.replace(bracketedTrunkPrefixPattern, '');
  }

  let dial = '';
  let dropped = false;
  for (const character of rest) {
    if (character >= '0' && character <= '9') {
      dial += character;
    } else if (character === '*' || character === '#') {
      dial += character;
    } else if (character === '+' && dial === '') {
      dial = '+';
    } else if (decimalDigitPattern.test(character)) {
      dial += String(decimalDigitValue(character.codePointAt(0) ?? 0));
    } else if (!separatorPattern.test(character)) {
      dropped = true;
    }
  }

  if (mapInternationalPrefix && dial.startsWith(internationalPrefix) && /^\d$/.test(dial.charAt(internationalPrefix.length))) {
    dial = `+${dial.slice(internationalPrefix.length)}`;
  }
  return { dial, dropped };
}

/**
 * Normalises pasted or typed text to a dial string `\+?[0-9*#]*`: strips `tel:`/`callto:`/`sip:` and
 * the URI's `;params`, `@host` and `?headers`; drops spaces (NBSP included), dots, dashes, slashes and
 * parentheses; drops the French "(0)" after an international prefix; maps the country's international
 * prefix ("00", "011" in NANP) to '+'; folds Unicode digits (fullwidth, Arabic-Indic…) to ASCII; keeps
 * `*`, `#` and a leading '+'; drops anything else. Never throws.
 *
 * @param country - whose international prefix to map; the optional parameter defaults to France.
 */
export function sanitizeDialInput(text: string, country: DialCountry = 'FR'): string {
  if (typeof text !== 'string') return '';
  return normaliseDialInput(text, country, true).dial;
}

/** Digits of a formatted string, for checking that formatting only added separators. */
function digitsOf(text: string): string {
  return text.replace(/[^0-9+]/g, '');
}

/**
 * Formats a number for display while the user types (libphonenumber's AsYouType), e.g. FR "0612345678"
 * becomes "06 12 34 56 78". Extensions, short codes, `*`/`#` feature strings and input with letters are
 * returned exactly as typed: reformatting them would only move the caret under the user's fingers.
 */
export function formatAsYouType(input: string, country: DialCountry): string {
  if (typeof input !== 'string' || input.length > maxDialInputLength) return input;
  // The international prefix is kept as typed: formatting must not rewrite the user's "00" into '+'.
  const { dial, dropped } = normaliseDialInput(input, country, false);
  if (dropped || dial === '' || /[*#]/.test(dial)) return input;
  if (!dial.startsWith('+') && (isExtensionFor(dial, country) || isShortCode(dial, country))) return input;
  const formatted = new AsYouType(country).input(dial);
  // AsYouType drops what it cannot place; never show the user fewer digits than they typed.
  return digitsOf(formatted) === dial ? formatted : input;
}

/**
 * Works out what a dialed string means, in this order: short code ({@link isShortCode} of `country`,
 * emergency numbers first), extension (`isExtensionFor`, which never overlaps a short number), then a
 * phone number, national numbers read in `country`.
 *
 * A phone number must pass libphonenumber's `isValid()` with 'max' metadata, i.e. fall in a range its
 * region allocates, not merely have a possible length (`isPossible()`): every call from the shared prepaid
 * wallet costs money, and a typo should be caught in the dialer rather than by a carrier's announcement. The
 * price is that a range allocated after the metadata release is refused until libphonenumber-js is updated.
 *
 * `*`/`#` feature codes are not callable yet and come back as `not-a-number`.
 */
export function parseDialString(input: string, country: DialCountry): DialTarget {
  if (typeof input !== 'string') return { kind: 'invalid', reason: 'bad-characters' };
  if (input.length > maxDialInputLength) return { kind: 'invalid', reason: 'too-long' };
  const { dial, dropped } = normaliseDialInput(input, country, true);
  if (dropped) return { kind: 'invalid', reason: 'bad-characters' };
  if (dial === '') return { kind: 'invalid', reason: 'empty' };
  if (!/^\+?\d+$/.test(dial)) return { kind: 'invalid', reason: 'not-a-number' };

  if (!dial.startsWith('+')) {
    if (isShortCode(dial, country)) return { kind: 'short-code', digits: dial };
    if (isExtensionFor(dial, country)) return { kind: 'extension', extension: dial };
  }

  // Overseas France dialled nationally ("0262…", "0692…") has its own country code (national-dialling.ts).
  const overseas = dial.startsWith('+') ? null : overseasCandidate(dial, country);
  const overseasNumber = overseas === null ? undefined : parsePhoneNumberFromString(overseas);
  const phoneNumber = overseasNumber?.isValid() ? overseasNumber : parsePhoneNumberFromString(dial, { defaultCountry: country, extract: false });
  if (phoneNumber === undefined || !phoneNumber.isValid()) return { kind: 'invalid', reason: 'not-a-number' };
  return {
    kind: 'phone',
    e164: phoneNumber.number,
    country: phoneNumber.country,
    display: phoneNumber.formatInternational(),
  };
}

/**
 * How to show a target to someone dialing from `country`: a number of that same country in its national
 * form, as people write it there ("08 99 12 34 56" for a French caller), any other number in international
 * form ("+44 20 7946 0000"), extensions and short codes as their digits.
 */
export function displayFor(target: Exclude<DialTarget, { kind: 'invalid' }>, country: DialCountry): string {
  switch (target.kind) {
    case 'extension':
      return target.extension;
    case 'short-code':
      return target.digits;
    case 'phone':
      if (target.country !== country) return target.display;
      return parsePhoneNumberFromString(target.e164)?.formatNational() ?? target.display;
    default:
      return assertNever(target);
  }
}

/**
 * The user part of the SIP Request-URI for a target (RFC 3261 section 19.1.1): the E.164 number with its
 * '+' (RFC 3966 global number, as in `sip:+33123456789@domain;user=phone`), the extension, or the short
 * code's digits, which the proxy routes without a country code.
 *
 * @throws InvalidDialTargetError for an `invalid` target: the dialer must never place it.
 */
export function sipUserPart(target: DialTarget): string {
  switch (target.kind) {
    case 'phone':
      return target.e164;
    case 'extension':
      return target.extension;
    case 'short-code':
      return target.digits;
    case 'invalid':
      throw new InvalidDialTargetError(target.reason);
    default:
      return assertNever(target);
  }
}
