import { useTranslation } from 'react-i18next';
import type { ContactsMessageKey } from './contacts-en.js';

export type ContactsTranslate = (key: ContactsMessageKey, values?: Readonly<Record<string, string | number>>) => string;

/** `t` restricted to the Contacts keys (merged into the app's resources in i18n.ts). */
export function useContactsT(): { readonly t: ContactsTranslate } {
  const { t } = useTranslation();
  return { t: (key, values) => t(key, values ?? {}) };
}
