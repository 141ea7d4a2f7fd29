import { memo, useEffect, useId } from 'react';
import { dialCountries, dialCountrySchema, languageSettingSchema } from '../../../shared/settings.js';
import { countryName } from '../i18n/format.js';
import { useT } from '../i18n/use-t.js';
import { useStore } from '../state/use-store.js';
import { usePhone } from './phone-context.js';

/** Default country, language and the ringtone's output device. Changes apply at once. */
function SettingsPanelView() {
  const phone = usePhone();
  const { settings, outputs } = useStore(phone.settings);
  const { t, language } = useT();
  const id = useId();

  useEffect(() => {
    void phone.refreshOutputs();
    const devices = navigator.mediaDevices;
    if (devices === undefined) return undefined;
    const refresh = (): void => void phone.refreshOutputs();
    devices.addEventListener('devicechange', refresh);
    return () => devices.removeEventListener('devicechange', refresh);
  }, [phone]);

  const ringerKnown = settings.ringerDeviceId === 'default' || outputs.some((o) => o.deviceId === settings.ringerDeviceId);

  return (
    <details className="settings card">
      <summary>
        <h2>{t('settings.heading')}</h2>
      </summary>
      <label htmlFor={`${id}-country`}>{t('settings.country')}</label>
      <select
        id={`${id}-country`}
        value={settings.defaultCountry}
        onChange={(e) => {
          const country = dialCountrySchema.safeParse(e.target.value);
          if (country.success) void phone.updateSettings({ defaultCountry: country.data });
        }}
      >
        {dialCountries.map((code) => (
          <option key={code} value={code}>
            {countryName(code, language)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-language`}>{t('settings.language')}</label>
      <select
        id={`${id}-language`}
        value={settings.language}
        onChange={(e) => {
          const choice = languageSettingSchema.safeParse(e.target.value);
          if (choice.success) void phone.updateSettings({ language: choice.data });
        }}
      >
        <option value="system">{t('settings.language.system')}</option>
        <option value="en" lang="en">
          {t('settings.language.en')}
        </option>
        <option value="fr" lang="fr">
          {t('settings.language.fr')}
        </option>
      </select>
      <label htmlFor={`${id}-ringer`}>{t('settings.ringer')}</label>
      <select
        id={`${id}-ringer`}
        value={settings.ringerDeviceId}
        onChange={(e) => void phone.updateSettings({ ringerDeviceId: e.target.value })}
      >
        <option value="default">{t('settings.ringerDefault')}</option>
        {ringerKnown ? null : <option value={settings.ringerDeviceId}>{settings.ringerDeviceId.slice(0, 12)}…</option>}
        {outputs.map((output, index) => (
          <option key={output.deviceId} value={output.deviceId}>
            {output.label || t('settings.ringerUnnamed', { index: index + 1 })}
          </option>
        ))}
      </select>
    </details>
  );
}

/** Memoised: the app re-renders on every call change, and this part does not depend on calls. */
export const SettingsPanel = memo(SettingsPanelView);
