import { describe, expect, it } from 'vitest';
import { demoUsers } from '../../../shared/config/defaults';
import { isShortCode, parseDialString } from '../../../shared/dial/dial-string';
import { dialIntentFor } from '../../../shared/dial/dial-intent';
import { assertAssignableExtension, classifyNumber, ExtensionRangeError, extensionProblem, extensionRegexFor, isExtensionFor } from '../../../shared/numbering';
import { dialCountries } from '../../../shared/settings';
import { demoCompanyCountry } from '../../../manager/src/seed/demo-seed';

// Every string of the extension syntax, and the first 3BPQ block beside it.
const fourDigits = Array.from({ length: 2100 }, (_, i) => String(1000 + i));

describe('extension range', () => {
  it('refuses French 10YT operator numbers and accepts the demo extensions', () => {
    expect(extensionProblem('1014', 'FR')).toBe('short-number');
    expect(extensionProblem('1099', 'FR')).toBe('short-number');
    expect(extensionProblem('1001', 'FR')).toBeNull();
    expect(extensionProblem('1014', 'DE')).toBeNull();
    expect(extensionProblem('3001', 'FR')).toBe('format');
    expect(extensionProblem('10014', 'FR')).toBe('format');
    expect(extensionProblem(' 1001', 'FR')).toBe('format');
    expect(() => assertAssignableExtension('1014', 'FR')).toThrow(ExtensionRangeError);
    for (const user of demoUsers) expect(() => assertAssignableExtension(user.username, demoCompanyCountry)).not.toThrow();
  });

  it.each(dialCountries)('never reads a short number of %s as an extension, nor an extension as a short number', (country) => {
    for (const digits of fourDigits) {
      const extension = isExtensionFor(digits, country);
      // The dialer, the dial intent and the classifier (what the manager's authorize runs) all agree.
      expect(extension && isShortCode(digits, country), digits).toBe(false);
      const parsed = parseDialString(digits, country);
      expect(parsed.kind === 'extension', `${digits} in ${country}`).toBe(extension);
      expect(classifyNumber({ dialed: digits, callerCountry: country }).kind === 'internal', `${digits} in ${country}`).toBe(extension);
      const intent = dialIntentFor(digits, { dialCountry: country, callerCountry: country });
      if (intent.ok) expect(intent.intent.target.kind === 'extension', digits).toBe(extension);
    }
  });

  it.each(['FR', 'DE', 'US'])('gives the proxy a regex that matches exactly the extensions of %s', (country) => {
    const regex = new RegExp(extensionRegexFor(country));
    for (const digits of [...fourDigits, '999', '10000', '0100', '+1001']) expect(regex.test(digits), digits).toBe(isExtensionFor(digits, country));
    expect(extensionRegexFor('DE')).toBe('^(1[0-9][0-9][0-9]|2[0-9][0-9][0-9])$');
  });
});
