import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerDisplayName, maxDisplayNameLength } from '../../../renderer/src/sip/display-name.js';

describe('headerDisplayName', () => {
  it.each([
    ['Alice Martin', 'Alice Martin'],
    ['  Zoé   Lefèvre ', 'Zoé Lefèvre'],
    ['Alice" <sip:+33899123456@cabine.test>', 'Alice <sip:+33899123456@cabine.test>'],
    ['Alice\r\nX-Injected: yes', 'Alice X-Injected: yes'],
    ['back\\slash', 'back slash'],
    ['nul\u0000byte\u007f', 'nul byte'],
    ['\u202Eecilа', 'ecilа'],
  ])('%j → %j', (name, expected) => {
    expect(headerDisplayName(name, '1001')).toBe(expected);
  });

  it('falls back to the username when nothing printable is left', () => {
    expect(headerDisplayName(undefined, '1001')).toBe('1001');
    expect(headerDisplayName(' "\r\n" ', '1001')).toBe('1001');
  });

  it('keeps at most 64 characters without splitting a character', () => {
    expect([...headerDisplayName('😀'.repeat(100), 'x')]).toHaveLength(maxDisplayNameLength);
  });

  it('never lets a quote, backslash or control character through, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (name) => {
        const out = headerDisplayName(name, 'fallback');
        // eslint-disable-next-line no-control-regex
        expect(out).not.toMatch(/["\\\u0000-\u001F\u007F-\u009F\u2028\u2029]/u);
        expect([...out].length).toBeLessThanOrEqual(maxDisplayNameLength);
        expect(out).toBe(out.trim());
      }),
      { numRuns: 2_000 },
    );
  });
});
