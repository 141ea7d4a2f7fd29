import { memo, useEffect, useId, useState } from 'react';
import { dialCountries, dialCountrySchema, languageSettingSchema, type Settings } from '../../../shared/settings.js';
import type { AudioDevice } from '../audio/device-choice.js';
import { startLevelMeter } from '../audio/level-meter.js';
import { countryName } from '../i18n/format.js';
import { useDevicesT, type DevicesTranslate } from '../i18n/use-devices-t.js';
import { useT } from '../i18n/use-t.js';
import { useStore } from '../state/use-store.js';
import { DeviceFallbackNotice } from './device-fallback-notice.js';
import { usePhone } from './phone-context.js';

type DeviceSetting = 'microphoneDeviceId' | 'speakerDeviceId' | 'ringerDeviceId';

/** One device choice: the system default, the devices present, and the chosen one when it is absent. */
function DeviceSelect(props: {
  readonly id: string;
  readonly label: string;
  readonly setting: DeviceSetting;
  readonly devices: readonly AudioDevice[];
  readonly settings: Settings;
  readonly defaultLabel: string;
  readonly unnamed: (index: number) => string;
  readonly t: DevicesTranslate;
  readonly onChoose: (setting: DeviceSetting, deviceId: string) => void;
}) {
  const { id, label, setting, devices, settings, defaultLabel, unnamed, t, onChoose } = props;
  const chosen = settings[setting];
  const known = chosen === 'default' || devices.some((d) => d.deviceId === chosen);
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={chosen} onChange={(e) => onChoose(setting, e.target.value)}>
        <option value="default">{defaultLabel}</option>
        {known ? null : <option value={chosen}>{t('devices.missing', { name: `${chosen.slice(0, 12)}…` })}</option>}
        {devices.map((device, index) => (
          <option key={device.deviceId} value={device.deviceId}>
            {device.label || unnamed(index + 1)}
          </option>
        ))}
      </select>
    </>
  );
}

/** The chosen microphone's level while the settings are open (it holds the microphone meanwhile). */
function MicrophoneLevel({ deviceId, open }: { readonly deviceId: string; readonly open: boolean }) {
  const { t } = useDevicesT();
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!open) return undefined;
    let stop: (() => void) | null = null;
    let cancelled = false;
    startLevelMeter(deviceId, setLevel).then(
      (stopMeter) => {
        if (cancelled) stopMeter();
        else stop = stopMeter;
      },
      (error: unknown) => console.warn('No microphone level', error),
    );
    return () => {
      cancelled = true;
      stop?.();
      setLevel(0);
    };
  }, [deviceId, open]);
  return (
    <meter className="mic-level" aria-label={t('devices.level')} min={0} max={1} low={0.15} high={0.9} optimum={0.5} value={level} data-level={level.toFixed(2)} />
  );
}

/** Default country, language and the audio devices (with a level meter and a test sound). Changes apply at once. */
function SettingsPanelView() {
  const phone = usePhone();
  const { settings, inputs, outputs } = useStore(phone.settings);
  const { t, language } = useT();
  const { t: td } = useDevicesT();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [testing, setTesting] = useState(false);

  useEffect(() => {
    // Labels appear once the microphone permission is granted: list again whenever the settings open.
    if (open) void phone.refreshDevices();
  }, [phone, open]);

  const choose = (setting: DeviceSetting, deviceId: string): void => void phone.updateSettings({ [setting]: deviceId });

  return (
    <>
      <DeviceFallbackNotice />
      <details className="settings card" onToggle={(e) => setOpen(e.currentTarget.open)}>
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
        <DeviceSelect
          id={`${id}-microphone`}
          label={td('devices.microphone')}
          setting="microphoneDeviceId"
          devices={inputs}
          settings={settings}
          defaultLabel={td('devices.systemDefault')}
          unnamed={(index) => td('devices.unnamedInput', { index })}
          t={td}
          onChoose={choose}
        />
        <MicrophoneLevel deviceId={settings.microphoneDeviceId} open={open} />
        <DeviceSelect
          id={`${id}-speaker`}
          label={td('devices.speaker')}
          setting="speakerDeviceId"
          devices={outputs}
          settings={settings}
          defaultLabel={td('devices.systemDefault')}
          unnamed={(index) => td('devices.unnamedOutput', { index })}
          t={td}
          onChoose={choose}
        />
        <button
          type="button"
          disabled={testing}
          onClick={() => {
            setTesting(true);
            void phone.playTestTone().finally(() => setTesting(false));
          }}
        >
          {testing ? td('devices.testSpeakerPlaying') : td('devices.testSpeaker')}
        </button>
        <DeviceSelect
          id={`${id}-ringer`}
          label={t('settings.ringer')}
          setting="ringerDeviceId"
          devices={outputs}
          settings={settings}
          defaultLabel={t('settings.ringerDefault')}
          unnamed={(index) => t('settings.ringerUnnamed', { index })}
          t={td}
          onChoose={choose}
        />
      </details>
    </>
  );
}

/** Memoised: the app re-renders on every call change, and this part does not depend on calls. */
export const SettingsPanel = memo(SettingsPanelView);
