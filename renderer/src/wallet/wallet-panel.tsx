import { AdminLinks } from '../admin/admin-links.js';
import { memo, useEffect, useId } from 'react';
import { useWalletT } from '../i18n/use-wallet-t.js';
import { useStoreFields } from '../state/use-store.js';
import { ActivityList } from './activity-list.js';
import { AddFundsButton } from './add-funds-button.js';
import { AutoRefillEditor } from './auto-refill-editor.js';
import { BudgetLeft } from './budget-left.js';
import { RatesBrowser } from './rates-browser.js';
import { useWallet } from './wallet-context.js';
import { formatMoney } from './wallet-format.js';

/** What the panel shows: it does not re-render for the gate, the cost line or a call in progress. */
const panelFields = ['session', 'balance', 'stream'] as const;

/**
 * The Prepaid Account, always on screen while signed in to the company: live balance, low-balance banner,
 * Add funds (admins), automatic refill, recent activity and International Rates.
 * Automation contract: region "Wallet", balance element named "Balance", button "Add funds".
 */
function WalletPanelView() {
  const wallet = useWallet();
  const state = useStoreFields(wallet.store, panelFields);
  const { t, language } = useWalletT();
  const id = useId();

  useEffect(() => {
    void wallet.refresh();
  }, [wallet]);

  if (state.session === null) return null;
  const admin = state.session.user.role === 'admin';
  const balance = state.balance;

  return (
    <section className="wallet card" aria-label={t('wallet.region')} data-stream={state.stream}>
      <div className="wallet-header">
        <h2 id={`${id}-heading`}>{t('wallet.heading')}</h2>
        <p className="wallet-who">
          {state.session.user.displayName} · {state.session.company?.name ?? ''} · {t(`company.role.${state.session.user.role}`)}
        </p>
        <button type="button" className="link-button" onClick={() => void wallet.signOut()}>
          {t('company.signOut')}
        </button>
      </div>
      <p className="hint">{t('wallet.usage')}</p>
      <div className="wallet-balance-row">
        <span id={`${id}-balance-label`} className="wallet-balance-label">
          {t('wallet.balance')}
        </span>
        <output
          className="wallet-balance"
          aria-label={t('wallet.balance')}
          aria-live="polite"
          data-balance-minor={balance?.balanceMinor ?? ''}
        >
          {balance === null ? '…' : formatMoney(balance.balanceMinor, balance.currency, language)}
        </output>
        <span className={`wallet-stream wallet-stream-${state.stream}`}>{t(`wallet.stream.${state.stream}`)}</span>
      </div>
      {balance?.lowBalance === true ? (
        <p className="wallet-low" role="alert">
          {t('wallet.lowBalance')} {admin ? t('wallet.lowBalance.admin') : t('wallet.lowBalance.employee')}
        </p>
      ) : null}
      {admin ? (
        <div className="wallet-actions">
          <AddFundsButton className="primary" />
        </div>
      ) : (
        <p className="hint">{t('wallet.addFunds.employee')}</p>
      )}
      <AdminLinks admin={admin} />
      <BudgetLeft />
      <AutoRefillEditor />
      <ActivityList />
      <RatesBrowser />
    </section>
  );
}

/** Memoised: the app re-renders on every call change, and this part does not depend on calls. */
export const WalletPanel = memo(WalletPanelView);
