import { describe, expect, it } from 'vitest';
import { classifyNumber, countryOfDigits, defaultCallingPlan, planEuropeanCountries } from '../../shared/numbering';

const fr = (dialed: string) => classifyNumber({ dialed, callerCountry: 'FR' });

describe('classifyNumber', () => {
  it('always treats the French emergency list and 112 as emergency, free', () => {
    for (const code of ['112', '15', '17', '18', '114', '115', '119', '191', '196', '197', '116000', '116117']) {
      expect(fr(code)).toMatchObject({ kind: 'emergency', billing: 'free', ratingKey: null });
    }
    expect(classifyNumber({ dialed: '112', callerCountry: 'DE' }).kind).toBe('emergency');
    expect(classifyNumber({ dialed: '112', callerCountry: 'JP' }).kind).toBe('emergency');
    expect(classifyNumber({ dialed: '15', callerCountry: 'DE' }).kind).toBe('invalid');
  });

  it('recognises internal extensions: four digits starting 1 or 2', () => {
    expect(fr('1001').kind).toBe('internal');
    expect(fr('2999').kind).toBe('internal');
    expect(fr('4001').kind).toBe('invalid');
  });

  it('includes French landlines and mobiles, national or E.164', () => {
    expect(fr('01 42 68 53 00')).toMatchObject({ kind: 'included', e164: '+33142685300', lineType: 'landline' });
    expect(fr('06.12.34.56.78')).toMatchObject({ kind: 'included', e164: '+33612345678', lineType: 'mobile' });
    expect(fr('+33 9 70 00 00 00').kind).toBe('included');
    expect(fr('0033612345678').kind).toBe('included');
  });

  it('includes landlines, not mobiles, in the 12 European plan countries', () => {
    expect(planEuropeanCountries).toHaveLength(12);
    expect(fr('+49 30 1234567')).toMatchObject({ kind: 'included', country: 'DE' });
    expect(fr('+49 151 23456789')).toMatchObject({ kind: 'international', billing: 'wallet', ratingKey: 'DE/mobile/4915123456789' });
    expect(fr('+44 20 7946 0000')).toMatchObject({ kind: 'included', country: 'GB' });
    expect(fr('+44 7400 900123')).toMatchObject({ kind: 'international', lineType: 'mobile' });
    // libphonenumber max: Brussels 02 1xx is not allocated, 02 555 is.
    expect(fr('+32 2 555 01 00').kind).toBe('included');
    expect(fr('+32 470 12 34 56').kind).toBe('international');
    expect(fr('+39 06 1234 5678').kind).toBe('included');
    // Danish numbers do not tell landlines from mobiles (libphonenumber: FIXED_LINE_OR_MOBILE; the old hand
    // table guessed by block): a landline-only plan cannot include them, they are paid at the mobile rate.
    expect(fr('+45 33 12 34 56')).toMatchObject({ kind: 'international', lineType: 'fixed-or-mobile', ratingKey: 'DK/fixed-or-mobile/4533123456' });
    expect(fr('+45 20 12 34 56').kind).toBe('international');
  });

  it('charges other countries to the wallet', () => {
    expect(fr('+1 212 555 0100')).toMatchObject({ kind: 'international', country: 'US', billing: 'wallet', ratingKey: 'US/fixed-or-mobile/12125550100' });
    expect(fr('+1 416 555 0100').country).toBe('CA');
    expect(fr('+7 717 212 3456').country).toBe('KZ');
    expect(fr('+81 3 1234 5678').country).toBe('JP');
    expect(fr('+228 90 12 34 56').country).toBe('TG');
  });

  it('classifies French paid services', () => {
    expect(fr('0899 123 456')).toMatchObject({ kind: 'premium', paidService: true, billing: 'wallet' });
    expect(fr('0810 123 456')).toMatchObject({ kind: 'shared-cost', paidService: true });
    expect(fr('0820 123 456').kind).toBe('shared-cost');
    expect(fr('118 712')).toMatchObject({ kind: 'directory', ratingKey: 'FR/directory/FR:118712', paidService: true });
    expect(fr('0800 123 456')).toMatchObject({ kind: 'toll-free', billing: 'free' });
    expect(fr('0805 123 456').kind).toBe('toll-free');
    expect(fr('0806 123 456').kind).toBe('included');
  });

  it('classifies satellite and international networks as high cost', () => {
    expect(fr('+881 6 1234 5678')).toMatchObject({ kind: 'high-cost', billing: 'wallet', paidService: true });
    expect(fr('+870 772 123 456').kind).toBe('high-cost');
    expect(fr('+882 1234 5678').kind).toBe('high-cost');
    expect(fr('+800 1234 5678').kind).toBe('toll-free');
  });

  it('refuses malformed input without throwing', () => {
    for (const bad of ['', 'abc', '+', '+0123456789', '+33 6 12', '06123', '+33612345678901234', "1001'; DROP", '++33612345678', '0'.repeat(40), '\u0000']) {
      expect(fr(bad).kind).toBe('invalid');
      expect(fr(bad).billing).toBe('refused');
    }
  });

  it('treats the plan as data', () => {
    const franceOnly = { id: 'fr-only', included: { FR: ['landline'] as const } };
    expect(classifyNumber({ dialed: '0612345678', callerCountry: 'FR', plan: franceOnly }).kind).toBe('international');
    expect(classifyNumber({ dialed: '+4930123456', callerCountry: 'FR', plan: franceOnly }).kind).toBe('international');
    expect(Object.keys(defaultCallingPlan.included)).toHaveLength(13);
  });

  it('names the country of any calling code', () => {
    expect(countryOfDigits('33612345678')).toBe('FR');
    expect(countryOfDigits('441481256789')).toBe('GG');
    expect(countryOfDigits('16585551234')).toBe('JM');
    expect(countryOfDigits('999')).toBeNull();
  });
});
