import { useEffect, useId, useState } from 'react';
import type { CallReceipt } from '../../../shared/api/receipt-schemas.js';
import { callDestinationLabel } from '../../../shared/rating/rate-labels.js';
import { useBudgetT, type BudgetTranslate } from '../i18n/use-budget-t.js';
import { formatDateTime } from '../i18n/format.js';
import { ModalDialog } from './modal-dialog.js';
import { useWallet } from './wallet-context.js';
import { formatMoney, formatRate } from './wallet-format.js';

type Loaded = { readonly state: 'loading' } | { readonly state: 'failed' } | { readonly state: 'ready'; readonly receipt: CallReceipt };

function ReceiptFacts({ receipt, t, language }: { readonly receipt: CallReceipt; readonly t: BudgetTranslate; readonly language: string }) {
  const rate = (decimal: string) => formatRate(decimal, receipt.currency, language);
  const money = (minor: number) => formatMoney(minor, receipt.currency, language);
  const [first = '', next = ''] = receipt.increment.split('/');
  const rows: ReadonlyArray<readonly [string, string, string]> = [
    ['date', t('receipt.date'), formatDateTime(receipt.chargedAt, language)],
    ['caller', t('receipt.caller'), receipt.caller.extension === null ? receipt.caller.displayName : `${receipt.caller.displayName} (${receipt.caller.extension})`],
    ['number', t('receipt.number'), receipt.number],
    ['destination', t('receipt.destination'), `${callDestinationLabel(receipt, language)} (+${receipt.prefix})`],
    ['rate', t('receipt.rate'), rate(receipt.pricePerMinute.decimal)],
    ['fee', t('receipt.connectionFee'), rate(receipt.connectionFee.decimal)],
    ['increments', t('receipt.increments'), t('receipt.incrementsValue', { increment: receipt.increment, first, next })],
    ['answered', t('receipt.answered'), t('receipt.seconds', { seconds: receipt.answeredSeconds })],
    ['billed', t('receipt.billed'), t('receipt.seconds', { seconds: receipt.billedSeconds })],
    ['arithmetic', t('receipt.arithmetic'), t('receipt.arithmeticValue', {
      fee: rate(receipt.connectionFee.decimal), rate: rate(receipt.pricePerMinute.decimal), billed: receipt.billedSeconds, computed: money(receipt.computedMinor),
    })],
    ['price', t('receipt.price'), money(receipt.priceMinor)],
    ['deck', t('receipt.deck'), receipt.deckVersion],
  ];
  return (
    <dl className="quote-facts receipt-facts">
      {rows.map(([key, label, value]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd data-testid={`receipt-${key}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The receipt of the call charged by ledger transaction `seq`, fetched from the manager when opened. */
function CallReceiptDialog({ seq, onClose }: { readonly seq: number; readonly onClose: () => void }) {
  const wallet = useWallet();
  const { t, language } = useBudgetT();
  const id = useId();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    let current = true;
    void wallet.callReceipt(seq).then((result) => {
      if (current) setLoaded(result.ok ? { state: 'ready', receipt: result.value } : { state: 'failed' });
    });
    return () => {
      current = false;
    };
  }, [wallet, seq]);

  return (
    <ModalDialog role="dialog" titleId={`${id}-title`} descriptionId={`${id}-desc`} onCancel={onClose} className="receipt">
      <h2 id={`${id}-title`}>{t('receipt.title')}</h2>
      <div id={`${id}-desc`} aria-live="polite">
        {loaded.state === 'loading' ? <p className="hint">{t('receipt.loading')}</p> : null}
        {loaded.state === 'failed' ? <p className="error" role="alert">{t('receipt.unavailable')}</p> : null}
        {loaded.state === 'ready' ? <ReceiptFacts receipt={loaded.receipt} t={t} language={language} /> : null}
      </div>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('receipt.close')}
        </button>
      </div>
    </ModalDialog>
  );
}

/** A "Receipt" button that opens the call's receipt; `number` names the call for screen readers. */
export function CallReceiptButton({ seq, number }: { readonly seq: number; readonly number: string }) {
  const { t } = useBudgetT();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="link-button" aria-label={t('receipt.openFor', { number })} onClick={() => setOpen(true)}>
        {t('receipt.open')}
      </button>
      {open ? <CallReceiptDialog seq={seq} onClose={() => setOpen(false)} /> : null}
    </>
  );
}
