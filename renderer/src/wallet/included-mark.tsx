import { useWalletT } from '../i18n/use-wallet-t.js';
import { useStore } from '../state/use-store.js';
import { usePhone } from '../ui/phone-context.js';
import { useWallet } from './wallet-context.js';

/** The discreet "included in your plan" mark beside a call the plan pays for. */
export function IncludedMark() {
  const wallet = useWallet();
  const phone = usePhone();
  const { includedNumber, announcement, paidCall } = useStore(wallet.store);
  const { calls } = useStore(phone.calls);
  const { t } = useWalletT();
  const active = calls.length > 0;
  return (
    <>
      {includedNumber !== null && active ? <p className="included-mark">{t('included.mark')}</p> : null}
      <p className="visually-hidden" aria-live="polite">
        {paidCall !== null && announcement !== null ? announcement : ''}
      </p>
    </>
  );
}
