import { useTranslation } from 'react-i18next';
import type { DevicesMessageKey } from './devices-en.js';
import { formattingLocale } from './i18n.js';

export type DevicesTranslate = (key: DevicesMessageKey, values?: Readonly<Record<string, string | number>>) => string;

/** `t` restricted to the audio device and call quality keys (merged into the app's resources in i18n.ts). */
export function useDevicesT(): { readonly t: DevicesTranslate; readonly language: string } {
  const { t, i18n } = useTranslation();
  return { t: (key, values) => t(key, values ?? {}), language: formattingLocale(i18n.language, navigator.languages) };
}
