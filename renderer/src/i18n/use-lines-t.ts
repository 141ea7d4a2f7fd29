import { useTranslation } from 'react-i18next';
import type { LinesMessageKey } from './lines-en.js';

export type LinesTranslate = (key: LinesMessageKey, values?: Readonly<Record<string, string | number>>) => string;

/** `t` restricted to the several-calls keys (merged into the app's resources in i18n.ts). */
export function useLinesT(): { readonly t: LinesTranslate } {
  const { t } = useTranslation();
  return { t: (key, values) => t(key, values ?? {}) };
}
