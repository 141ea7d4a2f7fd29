import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dialIntentFor } from '../../../shared/dial/dial-intent.js';
import { emergencyNumbersFor } from '../../../shared/numbering/emergency-numbers.js';

const fr = { dialCountry: 'FR', callerCountry: 'FR' } as const;

describe('dial intent: parsed once, classified once', () => {
  it('holds the target, the display form, E.164, what the proxy sees and the classification', () => {
    const result = dialIntentFor('01 23 45 67 89', fr);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.intent).toMatchObject({
      target: { kind: 'phone', e164: '+33123456789' },
      display: '01 23 45 67 89',
      e164: '+33123456789',
      dialed: '+33123456789',
      emergency: false,
      classification: { kind: 'included', billing: 'free' },
    });
  });

  it('classifies with the caller’s country, reads national digits with the dial country', () => {
    // A French company's employee whose dialer is set to Belgium: 0470… is a Belgian mobile, an
    // international call for the French company (the proxy sees +32470…, classified from France).
    const result = dialIntentFor('0470 12 34 56', { dialCountry: 'BE', callerCountry: 'FR' });
    if (!result.ok) throw new Error('expected a callable intent');
    expect(result.intent.dialed).toBe('+32470123456');
    expect(result.intent.classification).toMatchObject({ kind: 'international', billing: 'wallet', country: 'BE' });
  });

  it('extensions and short codes keep their digits; premium and directory numbers are classed as such', () => {
    const ext = dialIntentFor('1002', fr);
    const directory = dialIntentFor('118 712', fr);
    const premium = dialIntentFor('08 99 12 34 56', fr);
    expect(ext.ok && ext.intent).toMatchObject({ dialed: '1002', e164: null, classification: { kind: 'internal' } });
    expect(directory.ok && directory.intent).toMatchObject({ dialed: '118712', classification: { kind: 'directory', billing: 'wallet' } });
    expect(premium.ok && premium.intent).toMatchObject({ dialed: '+33899123456', classification: { kind: 'premium', billing: 'wallet' } });
  });

  it.each(emergencyNumbersFor('FR'))('FR %s is an emergency intent', (digits) => {
    const result = dialIntentFor(digits, fr);
    expect(result.ok && result.intent.emergency).toBe(true);
  });

  it('an emergency number of the caller’s country is one even where the dial country does not know it', () => {
    // 15 (SAMU) is no number at all in Belgium's plan; the company is French.
    const result = dialIntentFor('15', { dialCountry: 'BE', callerCountry: 'FR' });
    expect(result.ok && result.intent).toMatchObject({ emergency: true, dialed: '15' });
  });

  it('an invalid string comes back with its reason, never an exception', () => {
    expect(dialIntentFor('', fr)).toEqual({ ok: false, target: { kind: 'invalid', reason: 'empty' } });
    expect(dialIntentFor('0899', fr)).toEqual({ ok: false, target: { kind: 'invalid', reason: 'not-a-number' } });
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (input) => {
        const result = dialIntentFor(input, fr);
        if (result.ok) expect(result.intent.dialed).toMatch(/^\+?\d+$/);
      }),
      { numRuns: 500 },
    );
  });
});
