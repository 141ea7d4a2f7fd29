import { useTranslation } from 'react-i18next';
import { formattingLocale } from './i18n.js';
import { refillEn, type RefillMessageKey } from './refill-en.js';
import { refillFr } from './refill-fr.js';

export type RefillTranslate = (key: RefillMessageKey, values?: Readonly<Record<string, string | number>>) => string;

/** `key` in `language` (fr, else English) with its `{{name}}` placeholders filled. */
export function refillText(language: string, key: RefillMessageKey, values: Readonly<Record<string, string | number>> = {}): string {
  const catalog: Readonly<Record<RefillMessageKey, string>> = language.toLowerCase().startsWith('fr') ? refillFr : refillEn;
  return catalog[key].replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The refill notices' `t`, in the page's UI language (its own catalog: refill-en.ts, refill-fr.ts), plus the formatting locale. */
export function useRefillT(): { readonly t: RefillTranslate; readonly language: string } {
  const { i18n } = useTranslation();
  return { t: (key, values) => refillText(i18n.language, key, values ?? {}), language: formattingLocale(i18n.language, navigator.languages) };
}
