import { useEffect, useId, useState, type FormEvent } from 'react';
import type { AutoRefillView } from '../../../shared/api/wallet-schemas.js';
import { formatDateTime } from '../i18n/format.js';
import { useRefillT } from '../i18n/use-refill-t.js';
import { useWalletT } from '../i18n/use-wallet-t.js';
import { useStoreFields } from '../state/use-store.js';
import { useWallet } from './wallet-context.js';
import { formatMoney } from './wallet-format.js';

const editorFields = ['session', 'autoRefill', 'balance'] as const;

/** Thresholds offered besides the current one (minor units). */
const thresholdChoices = [500, 1000, 2000, 5000];

interface AutoRefillFormProps {
  readonly initial: AutoRefillView;
  readonly amounts: readonly number[];
  readonly money: (minor: number) => string;
}

/** The admin's form; remounted (keyed) when the saved settings change, so it starts from them. */
function AutoRefillForm({ initial, amounts, money }: AutoRefillFormProps) {
  const wallet = useWallet();
  const { t } = useWalletT();
  const id = useId();
  const [enabled, setEnabled] = useState(initial.enabled);
  const [threshold, setThreshold] = useState(initial.thresholdMinor);
  const [amount, setAmount] = useState(initial.amountMinor);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved' | 'failed'>('idle');

  const save = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    setStatus('saving');
    void wallet.saveAutoRefill({ enabled, thresholdMinor: threshold, amountMinor: amount }).then((result) => setStatus(result.ok ? 'saved' : 'failed'));
  };
  const thresholds = [...new Set([...thresholdChoices, initial.thresholdMinor])].sort((a, b) => a - b);
  const amountChoices = [...new Set([...amounts, initial.amountMinor])].sort((a, b) => a - b);

  return (
    <form onSubmit={save} className="auto-refill-form">
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        {t('autoRefill.enabled')}
      </label>
      <label htmlFor={`${id}-threshold`}>{t('autoRefill.threshold')}</label>
      <select id={`${id}-threshold`} value={threshold} onChange={(e) => setThreshold(Number(e.target.value))}>
        {thresholds.map((value) => (
          <option key={value} value={value}>
            {money(value)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-amount`}>{t('autoRefill.amount')}</label>
      <select id={`${id}-amount`} value={amount} onChange={(e) => setAmount(Number(e.target.value))}>
        {amountChoices.map((value) => (
          <option key={value} value={value}>
            {money(value)}
          </option>
        ))}
      </select>
      <button type="submit" disabled={status === 'saving'}>
        {status === 'saving' ? t('autoRefill.saving') : t('autoRefill.save')}
      </button>
      <span aria-live="polite" className="hint">
        {status === 'saved' ? t('autoRefill.saved') : status === 'failed' ? t('autoRefill.failed') : ''}
      </span>
    </form>
  );
}

/** Automatic refill: admins edit it here; employees read it and are told an admin is needed. */
export function AutoRefillEditor() {
  const wallet = useWallet();
  const { session, autoRefill, balance } = useStoreFields(wallet.store, editorFields);
  const { t, language } = useWalletT();
  const id = useId();
  const [amounts, setAmounts] = useState<readonly number[]>([]);
  const admin = session?.user.role === 'admin';

  useEffect(() => {
    if (!admin) return undefined;
    let live = true;
    void wallet.topUpAmounts().then((options) => live && setAmounts(options));
    return () => {
      live = false;
    };
  }, [admin, wallet]);

  if (autoRefill === null || balance === null) return null;
  const money = (minor: number): string => formatMoney(minor, balance.currency, language);
  const summary = autoRefill.enabled
    ? t('autoRefill.on', { amount: money(autoRefill.amountMinor), threshold: money(autoRefill.thresholdMinor) })
    : t('autoRefill.off');

  return (
    <section className="auto-refill" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{t('autoRefill.heading')}</h3>
      <p>{summary}</p>
      <RefillNotice autoRefill={autoRefill} />
      {admin ? (
        <AutoRefillForm key={`${String(autoRefill.enabled)}-${autoRefill.thresholdMinor}-${autoRefill.amountMinor}`} initial={autoRefill} amounts={amounts} money={money} />
      ) : (
        <p className="hint">{t('autoRefill.adminOnly')}</p>
      )}
    </section>
  );
}

/**
 * What the admin must know about automatic refill, in the UI language, from the manager's codes and values
 * (never its English text): turned off after declines in a row, or a retry waiting after a decline or the
 * day's limit.
 */
function RefillNotice({ autoRefill }: { readonly autoRefill: AutoRefillView }) {
  const { t, language } = useRefillT();
  if (autoRefill.disabledReason !== null) {
    return <p className="notice" role="status" data-testid="refill-notice">{t('refill.disabledAfter', { declines: autoRefill.consecutiveDeclines })}</p>;
  }
  const next = autoRefill.nextAttemptAt ?? null;
  if (next === null) return null;
  const at = formatDateTime(next, language);
  return (
    <p className="notice" role="status" data-testid="refill-notice">
      {autoRefill.consecutiveDeclines > 0 ? t('refill.declinedRetry', { declines: autoRefill.consecutiveDeclines, at }) : t('refill.limitRetry', { at })}
    </p>
  );
}
