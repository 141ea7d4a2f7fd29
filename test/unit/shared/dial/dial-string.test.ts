import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  displayFor,
  extensionPattern,
  formatAsYouType,
  InvalidDialTargetError,
  maxDialInputLength,
  parseDialString,
  sanitizeDialInput,
  isShortCode,
  sipUserPart,
  type DialTarget,
} from '../../../../shared/dial/dial-string.js';
import { dialCountries, type DialCountry } from '../../../../shared/settings.js';

const phone = (e164: string, country: string | undefined, display: string): DialTarget => ({
  kind: 'phone',
  e164,
  country,
  display,
});
const invalid = (reason: Extract<DialTarget, { kind: 'invalid' }>['reason']): DialTarget => ({ kind: 'invalid', reason });

describe('sanitizeDialInput', () => {
  it.each([
    // typed forms
    ['01 23 45 67 89', '0123456789'],
    ['06.12.34.56.78', '0612345678'],
    ['06-12-34-56-78', '0612345678'],
    ['06/12/34/56/78', '0612345678'],
    ['(01) 23 45 67 89', '0123456789'],
    ['+33 1 23 45 67 89', '+33123456789'],
    ['+44 20 7946 0000', '+442079460000'],
    ['118 712', '118712'],
    ['15', '15'],
    ['3949', '3949'],
    ['1002', '1002'],
    ['*21#', '*21#'],
    // international prefix
    ['0033123456789', '+33123456789'],
    ['00 44 20 7946 0000', '+442079460000'],
    ['00', '00'],
    ['0', '0'],
    // the French "(0)"
    ['+33 (0)1 23 45 67 89', '+33123456789'],
    ['+33(0)612345678', '+33612345678'],
    ['0033 (0)1 23 45 67 89', '+33123456789'],
    ['+44 (0)20 7946 0000', '+442079460000'],
    ['(0)20 7946 0000', '02079460000'],
    // URIs
    ['tel:+442079460000', '+442079460000'],
    ['TEL:+33-1-23-45-67-89', '+33123456789'],
    ['tel:0123456789;phone-context=+33', '0123456789'],
    ['tel:+33123456789;ext=12', '+33123456789'],
    ['callto:+33612345678', '+33612345678'],
    ['callto://+33612345678', '+33612345678'],
    ['sip:1002@cabine.test', '1002'],
    ['sips:+33123456789@sip.example.com;user=phone', '+33123456789'],
    ['sip:+33123456789@example.com?Subject=hi', '+33123456789'],
    ['Tél : 01 23 45 67 89', '0123456789'],
    ['Tel: 01 23 45 67 89', '0123456789'],
    // whitespace and invisible characters
    ['01\u00a023\u00a045\u00a067\u00a089', '0123456789'],
    ['01\u202f23\u202f45', '012345'],
    ['\u202a+33 1 23 45 67 89\u202c', '+33123456789'],
    ['01\u200b23', '0123'],
    ['06\u201312\u201434', '061234'],
    ['06\u221212', '0612'],
    ['  0612345678\t\n', '0612345678'],
    // unicode digits
    ['\uff10\uff16\uff11\uff12', '0612'],
    ['\uff0b\uff13\uff13', '+33'],
    ['\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669', '0123456789'],
    ['\u06f0\u06f9', '09'],
    ['\u0966\u096f', '09'],
    ['\u{1d7ce}\u{1d7d8}', '00'],
    // anything else dropped
    ['call 06 12 34 56 78 now', '0612345678'],
    ['0800-FLOWERS', '0800'],
    ['+33 +33 1', '+33331'],
    ['', ''],
    ['   ', ''],
    ['abc', ''],
    ['tel:', ''],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeDialInput(input)).toBe(expected);
  });

  it.each<[string, DialCountry, string]>([
    ['011 44 20 7946 0000', 'US', '+442079460000'],
    ['0044 20 7946 0000', 'US', '00442079460000'],
    ['00 44 20 7946 0000', 'GB', '+442079460000'],
    ['011 44 20 7946 0000', 'FR', '011442079460000'],
    ['00 33 1 23 45 67 89', 'BE', '+33123456789'],
  ])('%j in %s → %j (international prefix of the country)', (input, country, expected) => {
    expect(sanitizeDialInput(input, country)).toBe(expected);
  });

  it('never throws and always yields a dial string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom(...dialCountries), (text, country) => {
        expect(sanitizeDialInput(text, country)).toMatch(/^\+?[0-9*#]*$/);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        const once = sanitizeDialInput(text);
        expect(sanitizeDialInput(once)).toBe(once);
      }),
    );
  });

  it('returns an empty string for a non-string at run time', () => {
    expect(sanitizeDialInput(undefined as unknown as string)).toBe('');
  });
});

describe('parseDialString', () => {
  const cases: readonly (readonly [string, DialCountry, DialTarget])[] = [
    // FR typed and pasted
    ['01 23 45 67 89', 'FR', phone('+33123456789', 'FR', '+33 1 23 45 67 89')],
    ['0123456789', 'FR', phone('+33123456789', 'FR', '+33 1 23 45 67 89')],
    ['+33 1 23 45 67 89', 'FR', phone('+33123456789', 'FR', '+33 1 23 45 67 89')],
    ['0033123456789', 'FR', phone('+33123456789', 'FR', '+33 1 23 45 67 89')],
    ['+33 (0)1 23 45 67 89', 'FR', phone('+33123456789', 'FR', '+33 1 23 45 67 89')],
    ['06.12.34.56.78', 'FR', phone('+33612345678', 'FR', '+33 6 12 34 56 78')],
    ['tel:+33612345678', 'FR', phone('+33612345678', 'FR', '+33 6 12 34 56 78')],
    ['0800 12 34 56', 'FR', phone('+33800123456', 'FR', '+33 800 12 34 56')],
    ['\uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18', 'FR', phone('+33612345678', 'FR', '+33 6 12 34 56 78')],
    // GB and BE numbers, dialed from FR and at home
    ['tel:+442079460000', 'FR', phone('+442079460000', 'GB', '+44 20 7946 0000')],
    ['+44 20 7946 0000', 'FR', phone('+442079460000', 'GB', '+44 20 7946 0000')],
    ['020 7946 0000', 'GB', phone('+442079460000', 'GB', '+44 20 7946 0000')],
    ['+44 (0)20 7946 0000', 'GB', phone('+442079460000', 'GB', '+44 20 7946 0000')],
    ['00 44 20 7946 0000', 'BE', phone('+442079460000', 'GB', '+44 20 7946 0000')],
    ['02 555 12 12', 'BE', phone('+3225551212', 'BE', '+32 2 555 12 12')],
    ['0470 12 34 56', 'BE', phone('+32470123456', 'BE', '+32 470 12 34 56')],
    ['+32 2 555 12 12', 'FR', phone('+3225551212', 'BE', '+32 2 555 12 12')],
    // NANP
    ['(212) 555-0123', 'US', phone('+12125550123', 'US', '+1 212 555 0123')],
    ['011 44 20 7946 0000', 'US', phone('+442079460000', 'GB', '+44 20 7946 0000')],
    // non-geographic: no region
    ['+800 1234 5678', 'FR', phone('+80012345678', undefined, '+800 1234 5678')],
    // extensions
    ['1002', 'FR', { kind: 'extension', extension: '1002' }],
    ['2999', 'GB', { kind: 'extension', extension: '2999' }],
    ['10 02', 'FR', { kind: 'extension', extension: '1002' }],
    ['sip:1001@cabine.test', 'FR', { kind: 'extension', extension: '1001' }],
    // 10xx operator numbers are shadowed by the extension plan (documented)
    // ARCEP 10YT operator numbers are short numbers in France, never extensions (extension-range.ts).
    ['1014', 'FR', { kind: 'short-code', digits: '1014' }],
    ['1014', 'DE', { kind: 'extension', extension: '1014' }],
    ['1001', 'FR', { kind: 'extension', extension: '1001' }],
    // FR short codes
    ...['15', '17', '18', '112', '114', '115', '119', '191', '196', '197', '116000', '116117', '118712', '118218', '3949', '3000']
      .map((digits) => [digits, 'FR', { kind: 'short-code', digits }] as const),
    ['118 712', 'FR', { kind: 'short-code', digits: '118712' }],
    // 112 everywhere in Europe, 911 in North America
    ...(['BE', 'CH', 'LU', 'DE', 'ES', 'IT', 'GB', 'NL', 'PT', 'IE', 'AT'] as const).map(
      (country) => ['112', country, { kind: 'short-code', digits: '112' }] as const,
    ),
    ['911', 'US', { kind: 'short-code', digits: '911' }],
    ['911', 'CA', { kind: 'short-code', digits: '911' }],
    // short codes belong to their country
    ['15', 'GB', invalid('not-a-number')],
    ['3949', 'BE', invalid('not-a-number')],
    // 112 is an emergency number for every caller (shared/numbering/emergency-numbers.ts): GSM networks route it
    // to 911 in North America, and letting an emergency call through beats refusing it.
    ['112', 'US', { kind: 'short-code', digits: '112' }],
    ['999', 'GB', { kind: 'short-code', digits: '999' }],
    ['110', 'DE', { kind: 'short-code', digits: '110' }],
    ['911', 'FR', invalid('not-a-number')],
    ['+112', 'FR', invalid('not-a-number')],
    // EU harmonised 116 numbers (Decision 2007/116/EC) are short numbers in every member state.
    ['116111', 'FR', { kind: 'short-code', digits: '116111' }],
    ['116123', 'DE', { kind: 'short-code', digits: '116123' }],
    ['116123', 'US', invalid('not-a-number')],
    // Overseas France dialled nationally gets its own country code.
    ['0262 12 34 56', 'FR', { kind: 'phone', e164: '+262262123456', country: 'RE', display: '+262 262 12 34 56' }],
    ['0692 12 34 56', 'FR', { kind: 'phone', e164: '+262692123456', country: 'RE', display: '+262 692 12 34 56' }],
    // not numbers
    ['0207946000', 'GB', invalid('not-a-number')],
    ['0612345678', 'GB', invalid('not-a-number')],
    ['01 23 45', 'FR', invalid('not-a-number')],
    ['3', 'FR', invalid('not-a-number')],
    ['12345678901234567', 'FR', invalid('not-a-number')],
    ['+', 'FR', invalid('not-a-number')],
    ['00', 'FR', invalid('not-a-number')],
    ['*21#', 'FR', invalid('not-a-number')],
    ['#31#0612345678', 'FR', invalid('not-a-number')],
    ['10*2', 'FR', invalid('not-a-number')],
    // bad characters
    ['06 12 AB', 'FR', invalid('bad-characters')],
    ['0800-FLOWERS', 'FR', invalid('bad-characters')],
    ['abc', 'FR', invalid('bad-characters')],
    ['+33 +33 1 23 45 67 89', 'FR', invalid('bad-characters')],
    ['06_12_34_56_78', 'FR', invalid('bad-characters')],
    // empty
    ['', 'FR', invalid('empty')],
    ['   ', 'FR', invalid('empty')],
    ['\u00a0', 'FR', invalid('empty')],
    ['tel:', 'FR', invalid('empty')],
    ['().-/', 'FR', invalid('empty')],
    // too long
    ['0'.repeat(maxDialInputLength + 1), 'FR', invalid('too-long')],
    [' '.repeat(maxDialInputLength + 1), 'FR', invalid('too-long')],
    ['x'.repeat(1_000_000), 'FR', invalid('too-long')],
  ];

  it.each(cases)('%j in %s', (input, country, expected) => {
    expect(parseDialString(input, country)).toEqual(expected);
  });

  it('accepts exactly maxDialInputLength characters', () => {
    const padded = `${' '.repeat(maxDialInputLength - 10)}0123456789`;
    expect(padded).toHaveLength(maxDialInputLength);
    expect(parseDialString(padded, 'FR')).toEqual(phone('+33123456789', 'FR', '+33 1 23 45 67 89'));
  });

  it('reads extensions as data: four digits starting with 1 or 2', () => {
    expect(['1000', '2999'].every((text) => extensionPattern.test(text))).toBe(true);
    expect(['0999', '3000', '100', '10000', '+1002'].some((text) => extensionPattern.test(text))).toBe(false);
  });

  it('has short codes for every dial country', () => {
    for (const country of dialCountries) expect(isShortCode('112', country)).toBe(true);
  });

  it('never throws, and every phone result is E.164 in its own display', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^\+?[0-9 ]{1,20}$/)),
        fc.constantFrom(...dialCountries),
        (text, country) => {
          const target = parseDialString(text, country);
          if (target.kind === 'phone') {
            expect(target.e164).toMatch(/^\+[1-9]\d{1,14}$/);
            expect(target.display.replace(/ /g, '')).toBe(target.e164);
          }
        },
      ),
    );
  });

  it('parses the E.164 form of a phone number to the same target', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^0[1-79]\d{8}$/), (national) => {
        const target = parseDialString(national, 'FR');
        if (target.kind === 'phone') expect(parseDialString(target.e164, 'GB')).toEqual(target);
      }),
    );
  });
});

describe('formatAsYouType', () => {
  it.each<[string, DialCountry, string]>([
    ['0612345678', 'FR', '06 12 34 56 78'],
    ['06123', 'FR', '06 12 3'],
    ['06', 'FR', '06'],
    ['06.12.34.56.78', 'FR', '06 12 34 56 78'],
    ['+33612345678', 'FR', '+33 6 12 34 56 78'],
    ['+33 (0)6 12 34 56 78', 'FR', '+33 6 12 34 56 78'],
    ['0033612345678', 'FR', '00 33 6 12 34 56 78'],
    ['tel:+442079460000', 'FR', '+44 20 7946 0000'],
    ['+44 20 7946 0000', 'FR', '+44 20 7946 0000'],
    ['02079460000', 'GB', '020 7946 0000'],
    ['+', 'FR', '+'],
    // left as typed
    ['1002', 'FR', '1002'],
    ['10 02', 'FR', '10 02'],
    ['15', 'FR', '15'],
    ['118 712', 'FR', '118 712'],
    ['3949', 'FR', '3949'],
    ['112', 'GB', '112'],
    ['911', 'US', '911'],
    ['*21#', 'FR', '*21#'],
    ['06 12 AB', 'FR', '06 12 AB'],
    ['', 'FR', ''],
    ['  ', 'FR', '  '],
    ['06123456789999', 'FR', '06123456789999'],
    ['0'.repeat(maxDialInputLength + 1), 'FR', '0'.repeat(maxDialInputLength + 1)],
  ])('%j in %s → %j', (input, country, expected) => {
    expect(formatAsYouType(input, country)).toBe(expected);
  });

  it('only ever adds separators to the digits typed', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?\d{0,16}$/), fc.constantFrom(...dialCountries), (typed, country) => {
        expect(formatAsYouType(typed, country).replace(/[^\d+]/g, '')).toBe(typed);
      }),
    );
  });
});

describe('sipUserPart', () => {
  it.each<[DialTarget, string]>([
    [phone('+33123456789', 'FR', '+33 1 23 45 67 89'), '+33123456789'],
    [{ kind: 'extension', extension: '1002' }, '1002'],
    [{ kind: 'short-code', digits: '118712' }, '118712'],
  ])('%j → %j', (target, expected) => {
    expect(sipUserPart(target)).toBe(expected);
  });

  it.each(['empty', 'too-long', 'bad-characters', 'not-a-number'] as const)('throws for invalid (%s)', (reason) => {
    expect(() => sipUserPart(invalid(reason))).toThrow(InvalidDialTargetError);
  });

  it('chains with parseDialString for the pasted forms', () => {
    expect(sipUserPart(parseDialString('+33 (0)1 23 45 67 89', 'FR'))).toBe('+33123456789');
    expect(sipUserPart(parseDialString('sip:1002@cabine.test', 'FR'))).toBe('1002');
    expect(sipUserPart(parseDialString('118 712', 'FR'))).toBe('118712');
  });
});

describe('displayFor', () => {
  const shown = (input: string, country: DialCountry): string => {
    const target = parseDialString(input, country);
    if (target.kind === 'invalid') throw new Error(`invalid: ${input}`);
    return displayFor(target, country);
  };

  it('shows a number of the caller’s own country in national form, others in international form', () => {
    // Special-rate 08 numbers are written "0 8AB …" in France (libphonenumber follows ARCEP's usage).
    expect(shown('+33899123456', 'FR')).toBe('0 899 12 34 56');
    expect(shown('0612345678', 'FR')).toBe('06 12 34 56 78');
    expect(shown('+442079460000', 'FR')).toBe('+44 20 7946 0000');
    expect(shown('+33123456789', 'GB')).toBe('+33 1 23 45 67 89');
  });

  it('shows extensions and short codes as dialed', () => {
    expect(shown('1002', 'FR')).toBe('1002');
    expect(shown('112', 'FR')).toBe('112');
  });
});
