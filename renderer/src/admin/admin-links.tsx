import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ManagerPageTarget } from '../../../shared/manager-link/manager-page-url.js';
import { useWallet } from '../wallet/wallet-context.js';
import type { AdminMessageKey } from './admin-en.js';

type Status = 'idle' | 'opening' | 'opened' | 'failed' | 'blocked';

/**
 * The app's admin area: People and the audit trail for company admins, your own password for everyone. Each
 * opens the manager's page already signed in (a one-time hand-off, as Add Funds does): the rules (roles,
 * extension range, revocation) live once, in the manager, which checks them again on every request.
 */
export function AdminLinks({ admin }: { readonly admin: boolean }) {
  const wallet = useWallet();
  const { t: translate } = useTranslation();
  const t = (key: AdminMessageKey): string => translate(key);
  const [status, setStatus] = useState<Status>('idle');
  const open = (target: ManagerPageTarget): void => {
    setStatus('opening');
    void wallet.openManagerPage(target).then((result) => {
      if (result.ok) setStatus('opened');
      else setStatus(result.failure.code === 'popup_blocked' ? 'blocked' : 'failed');
    });
  };
  const button = (target: ManagerPageTarget, key: AdminMessageKey) => (
    <button type="button" className="link-button" disabled={status === 'opening'} onClick={() => open(target)}>
      {t(key)}
    </button>
  );
  return (
    <nav className="admin-links" aria-label={t('admin.heading')}>
      {admin ? (
        <>
          {button('/prepaid/people', 'admin.people')} <span className="hint">{t('admin.peopleHint')}</span> {button('/audit', 'admin.audit')}{' '}
        </>
      ) : null}
      {button('/account/password', 'admin.password')}
      <span aria-live="polite" className="hint">
        {status === 'opened' ? t('admin.opened') : status === 'failed' ? t('admin.failed') : status === 'blocked' ? t('admin.blocked') : ''}
      </span>
    </nav>
  );
}
