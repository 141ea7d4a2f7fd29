import { assertNever } from '../../../shared/assert-never.js';
import type { DeviceFallback } from '../audio/device-choice.js';
import { useDevicesT, type DevicesTranslate } from '../i18n/use-devices-t.js';
import { useStore } from '../state/use-store.js';
import { usePhone } from './phone-context.js';

function fallbackText(fallback: DeviceFallback, t: DevicesTranslate): string {
  const name = fallback.label === '' ? t('devices.fallbackUnnamed') : fallback.label;
  switch (fallback.role) {
    case 'microphone':
      return t('devices.fallback.microphone', { name });
    case 'speaker':
      return t('devices.fallback.speaker', { name });
    case 'ringer':
      return t('devices.fallback.ringer', { name });
    default:
      return assertNever(fallback.role);
  }
}

/** "Your headset was disconnected: the system default is used", until dismissed or another choice. */
export function DeviceFallbackNotice() {
  const phone = usePhone();
  const { fallbacks } = useStore(phone.settings);
  const { t } = useDevicesT();
  return (
    <div className="device-notice" aria-live="polite">
      {fallbacks.length === 0 ? null : (
        <div className="card device-fallback">
          {fallbacks.map((fallback) => (
            <p key={fallback.role} data-device-fallback={fallback.role}>
              {fallbackText(fallback, t)}
            </p>
          ))}
          <button type="button" onClick={() => phone.dismissDeviceFallbacks()}>
            {t('devices.dismiss')}
          </button>
        </div>
      )}
    </div>
  );
}
