import { useTranslation } from 'react-i18next';
import { formattingLocale } from './i18n.js';
import type { WalletMessageKey } from './wallet-en.js';

export type WalletTranslate = (key: WalletMessageKey, values?: Readonly<Record<string, string | number>>) => string;

/** `t` restricted to the wallet's keys (merged into the app's resources in i18n.ts), plus the language. */
export function useWalletT(): { readonly t: WalletTranslate; readonly language: string } {
  const { t, i18n } = useTranslation();
  return { t: (key, values) => t(key, values ?? {}), language: formattingLocale(i18n.language, navigator.languages) };
}
