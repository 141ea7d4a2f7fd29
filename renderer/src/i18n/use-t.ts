import { useTranslation } from 'react-i18next';
import { formattingLocale } from './i18n.js';
import type { MessageKey } from './en.js';

export type Translate = (key: MessageKey, values?: Readonly<Record<string, string | number>>) => string;

/** `t` restricted to the keys that exist in en.ts, plus the current language for Intl. */
export function useT(): { readonly t: Translate; readonly language: string } {
  const { t, i18n } = useTranslation();
  return { t: (key, values) => t(key, values ?? {}), language: formattingLocale(i18n.language, navigator.languages) };
}
