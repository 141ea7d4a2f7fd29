import { describe, expect, it } from 'vitest';
import { ringbackFrance, toneBursts } from '../../../renderer/src/audio/tone-patterns.js';
import { en } from '../../../renderer/src/i18n/en.js';
import { fr } from '../../../renderer/src/i18n/fr.js';
import { formatDuration } from '../../../renderer/src/i18n/format.js';
import { formattingLocale } from '../../../renderer/src/i18n/i18n.js';
import { resolveLanguage } from '../../../renderer/src/i18n/i18n.js';

describe('languages', () => {
  it("follows the system language for 'system', French for any fr-*", () => {
    expect(resolveLanguage('system', ['fr-BE', 'en-US'])).toBe('fr');
    expect(resolveLanguage('system', ['de-DE', 'en-GB'])).toBe('en');
    expect(resolveLanguage('system', ['de-DE'])).toBe('en');
    expect(resolveLanguage('fr', ['en-US'])).toBe('fr');
  });

  it('translates every English string into French, keeping the placeholders', () => {
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(fr[key], key).toBeTruthy();
      const placeholders = (text: string): string[] => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '').sort();
      expect(placeholders(fr[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('keeps the names the automation relies on', () => {
    expect([en['dialer.number'], en['dialer.call'], en['call.hangUp'], en['call.answer'], en['call.decline']]).toEqual([
      'Number',
      'Call',
      'Hang up',
      'Answer',
      'Decline',
    ]);
    expect([en['call.mute'], en['call.hold'], en['call.keypad'], en['status.registered']]).toEqual(['Mute', 'Hold', 'Keypad', 'Registered']);
    expect([en['signIn.server'], en['signIn.username'], en['signIn.password'], en['signIn.submit']]).toEqual([
      'Server',
      'Username',
      'Password',
      'Sign in',
    ]);
  });

  it('formats call durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3723)).toBe('1:02:03');
  });
});

describe('generated tones', () => {
  it('plays the French ringback cadence: 1.5 s on, 3.5 s off', () => {
    expect(toneBursts(ringbackFrance, 11)).toEqual([
      [0, 1.5],
      [5, 6.5],
      [10, 11],
    ]);
  });
});

describe('the formatting locale', () => {
  it("is the system's regional variant of the UI language, else the language", () => {
    expect(formattingLocale('en', ['en-GB', 'fr-FR'])).toBe('en-GB');
    expect(formattingLocale('fr', ['en-GB', 'fr-CA'])).toBe('fr-CA');
    expect(formattingLocale('fr', ['en-GB'])).toBe('fr');
    expect(formattingLocale('en', ['en'])).toBe('en');
  });
});
