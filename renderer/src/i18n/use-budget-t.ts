import { useTranslation } from 'react-i18next';
import type { BudgetMessageKey } from './budget-en.js';
import { formattingLocale } from './i18n.js';

export type BudgetTranslate = (key: BudgetMessageKey, values?: Readonly<Record<string, string | number>>) => string;

/** `t` restricted to the budget and receipt keys (merged into the app's resources in i18n.ts), plus the locale. */
export function useBudgetT(): { readonly t: BudgetTranslate; readonly language: string } {
  const { t, i18n } = useTranslation();
  return { t: (key, values) => t(key, values ?? {}), language: formattingLocale(i18n.language, navigator.languages) };
}
