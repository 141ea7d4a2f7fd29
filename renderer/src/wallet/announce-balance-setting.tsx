import { useWalletT } from '../i18n/use-wallet-t.js';
import { useStore } from '../state/use-store.js';
import { usePhone } from '../ui/phone-context.js';

/** "Announce the balance before paid calls" (on by default), shown in Settings. */
export function AnnounceBalanceSetting() {
  const phone = usePhone();
  const { settings } = useStore(phone.settings);
  const { t } = useWalletT();
  return (
    <label className="checkbox">
      <input type="checkbox" checked={settings.announceBalance} onChange={(e) => void phone.updateSettings({ announceBalance: e.target.checked })} />
      {t('settings.announceBalance')}
    </label>
  );
}
