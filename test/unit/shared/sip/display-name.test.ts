import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayNameProblem, headerDisplayName, maxDisplayNameLength } from '../../../../shared/sip/display-name.js';

// Anything a header parser could read as the end of the quoted string, an escape, or a new line or header.
// eslint-disable-next-line no-control-regex
const forbiddenInHeader = /["\\\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]|\p{Cs}/u;

describe('headerDisplayName (shared/sip/display-name.ts)', () => {
  it.each([
    ['Alice Martin', 'Alice Martin'],
    ['  Zoé   Lefèvre ', 'Zoé Lefèvre'],
    ['Alice" <sip:+33899123456@cabine.test>', 'Alice <sip:+33899123456@cabine.test>'],
    ['Alice\r\nX-Injected: yes', 'Alice X-Injected: yes'],
    ['Alice\nVia: SIP/2.0/UDP evil.example', 'Alice Via: SIP/2.0/UDP evil.example'],
    ['back\\slash\\"', 'back slash'],
    ['nul\u0000byte\u007f', 'nul byte'],
    ['\u202Eecilа', 'ecilа'],
    ['Chloé 👩‍💻', 'Chloé 👩‍💻'],
  ])('%j → %j', (name, expected) => {
    expect(headerDisplayName(name, '1001')).toBe(expected);
  });

  it('falls back when nothing printable is left', () => {
    expect(headerDisplayName(undefined, '1001')).toBe('1001');
    expect(headerDisplayName(null, '1001')).toBe('1001');
    expect(headerDisplayName(' "\r\n\\" ', '1001')).toBe('1001');
  });

  it('keeps at most 64 characters, never half a surrogate pair', () => {
    expect([...headerDisplayName('😀'.repeat(100), 'x')]).toHaveLength(maxDisplayNameLength);
    expect(headerDisplayName('a'.repeat(63) + '😀😀', 'x')).toBe('a'.repeat(63) + '😀');
  });

  it('never lets CR, LF, NUL, a quote, a backslash or another control through, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom('1001', 'x'), (name, fallback) => {
        const out = headerDisplayName(name, fallback);
        expect(out).not.toMatch(forbiddenInHeader);
        expect([...out].length).toBeLessThanOrEqual(maxDisplayNameLength);
        expect(out.length).toBeGreaterThan(0);
        expect(out).toBe(out.trim());
        // Idempotent: the app may clean what the manager already cleaned.
        expect(headerDisplayName(out, fallback)).toBe(out);
      }),
      { numRuns: 3_000 },
    );
  });

  it('quoted in a From header, gives exactly one header line with the caller\'s own URI', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const from = `From: "${headerDisplayName(name, '1001')}" <sip:1001@cabine.test>;tag=abc`;
        expect(from.split(/\r\n|\r|\n/)).toHaveLength(1);
        expect(/^From: "[^"\\]*" <sip:1001@cabine\.test>;tag=abc$/.test(from)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('displayNameProblem (validation on the way in)', () => {
  it.each([
    ['Alice Martin', null],
    ['Chloé Durand', null],
    ['O\'Brien "Bob"', null],
    ['', 'empty'],
    ['   ', 'empty'],
    ['a'.repeat(65), 'too_long'],
    ['😀'.repeat(64), null],
    ['Alice\r\nX: y', 'control_characters'],
    ['tab\there', 'control_characters'],
    ['\u202Eevil', 'control_characters'],
    ['lone \uD800 surrogate', 'control_characters'],
  ])('%j → %j', (name, problem) => {
    expect(displayNameProblem(name)).toBe(problem);
  });

  it('accepts only names the header rule leaves intact apart from quotes and backslashes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (name) => {
        if (displayNameProblem(name) !== null) return;
        const withoutQuotes = name.replace(/["\\]/g, ' ').replace(/\s+/gu, ' ').trim();
        expect(headerDisplayName(name, 'x')).toBe(withoutQuotes === '' ? 'x' : withoutQuotes);
      }),
      { numRuns: 2_000 },
    );
  });
});
