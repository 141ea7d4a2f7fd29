import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { LanguageSetting } from '../../../shared/settings.js';
import { adminEn } from '../admin/admin-en.js';
import { adminFr } from '../admin/admin-fr.js';
import { budgetEn } from './budget-en.js';
import { budgetFr } from './budget-fr.js';
import { contactsEn } from './contacts-en.js';
import { contactsFr } from './contacts-fr.js';
import { devicesEn } from './devices-en.js';
import { devicesFr } from './devices-fr.js';
import { en } from './en.js';
import { linesEn } from './lines-en.js';
import { linesFr } from './lines-fr.js';
import { fr } from './fr.js';
import { walletEn } from './wallet-en.js';
import { walletFr } from './wallet-fr.js';

export type AppLanguage = 'en' | 'fr';

/** 'system' follows the browser or OS language; French for any fr-* locale, English otherwise. */
export function resolveLanguage(setting: LanguageSetting, systemLanguages: readonly string[]): AppLanguage {
  if (setting !== 'system') return setting;
  for (const tag of systemLanguages) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'fr') return 'fr';
    if (base === 'en') return 'en';
  }
  return 'en';
}

/**
 * The locale numbers, money and dates are formatted with: the system's own regional variant of the UI
 * language when it has one (en-GB dates for a British user, fr-CA for a Québécois one), else the language.
 */
export function formattingLocale(language: string, systemLanguages: readonly string[]): string {
  const variant = systemLanguages.find((tag) => tag.toLowerCase().split('-')[0] === language && tag.includes('-'));
  return variant ?? language;
}

/** One i18next instance for the page, keys flat (they contain dots). */
export async function createI18n(language: AppLanguage): Promise<I18n> {
  const instance = i18next.createInstance();
  await instance.use(initReactI18next).init({
    lng: language,
    fallbackLng: 'en',
    resources: { en: { translation: { ...en, ...walletEn, ...budgetEn, ...adminEn, ...devicesEn, ...linesEn, ...contactsEn } }, fr: { translation: { ...fr, ...walletFr, ...budgetFr, ...adminFr, ...devicesFr, ...linesFr, ...contactsFr } } },
    keySeparator: false,
    nsSeparator: false,
    // React escapes what it renders.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}
