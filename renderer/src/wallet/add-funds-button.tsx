import { useState } from 'react';
import { useWalletT } from '../i18n/use-wallet-t.js';
import { useWallet } from './wallet-context.js';

/** "Add funds" for admins: the manager's add-funds page, already signed in (window or tab, by host). */
export function AddFundsButton({ className }: { readonly className?: string }) {
  const wallet = useWallet();
  const { t } = useWalletT();
  const [status, setStatus] = useState<'idle' | 'opening' | 'opened' | 'failed' | 'blocked'>('idle');
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={status === 'opening'}
        onClick={() => {
          setStatus('opening');
          void wallet.openAddFunds().then((result) => {
            if (result.ok) setStatus('opened');
            else setStatus(result.failure.code === 'popup_blocked' ? 'blocked' : 'failed');
          });
        }}
      >
        {t('wallet.addFunds')}
      </button>
      <span aria-live="polite" className="hint add-funds-status">
        {status === 'opened' ? t('wallet.addFunds.opened') : status === 'failed' ? t('wallet.addFunds.failed') : status === 'blocked' ? t('wallet.addFunds.blocked') : ''}
      </span>
    </>
  );
}
