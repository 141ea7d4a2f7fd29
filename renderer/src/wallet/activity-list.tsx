import { useId } from 'react';
import type { ActivityItem, RefillAttempt } from '../../../shared/api/wallet-schemas.js';
import { assertNever } from '../../../shared/assert-never.js';
import { formatDateTime, formatDurationLong } from '../i18n/format.js';
import { useRefillT, type RefillTranslate } from '../i18n/use-refill-t.js';
import { useWalletT, type WalletTranslate } from '../i18n/use-wallet-t.js';
import { useStoreSelect } from '../state/use-store.js';
import { CallReceiptButton } from './call-receipt-dialog.js';
import { useWallet } from './wallet-context.js';
import { formatMoney } from './wallet-format.js';



function describe(item: ActivityItem, t: WalletTranslate, language: string): string {
  switch (item.kind) {
    case 'call_charge':
      // A colleague's call, as the manager shows it to an employee: no number (routes/activity-visibility.ts).
      if (item.call !== null && item.call.number === '') return t('activity.kind.colleague_call', { duration: formatDurationLong(item.call.answeredSeconds, language) });
      return t('activity.kind.call_charge', {
        number: item.call?.number ?? item.reference,
        duration: formatDurationLong(item.call?.answeredSeconds ?? 0, language),
      });
    case 'topup':
    case 'auto_refill':
    case 'reversal':
      return t(`activity.kind.${item.kind}`);
    default:
      return assertNever(item.kind);
  }
}

/** One refill attempt in words: what came of it, why, what started it. */
function describeAttempt(attempt: RefillAttempt, t: RefillTranslate): string {
  const values = { status: t(`refill.status.${attempt.status}`), cause: t(`refill.cause.${attempt.cause}`), attempt: attempt.attempt };
  return attempt.declineCode === null ? t('refill.attempt', values) : t('refill.attemptDeclined', { ...values, reason: t(`refill.decline.${attempt.declineCode}`) });
}

/**
 * The latest automatic-refill attempts, whatever came of them: a declined or skipped one moves no money,
 * so it is not in the ledger list, and the admin must still see it.
 */
function RefillAttempts() {
  const wallet = useWallet();
  const attempts = useStoreSelect(wallet.store, (state) => state.refillAttempts);
  const { t, language } = useRefillT();
  const id = useId();
  const shown = attempts.slice(0, 5);
  if (shown.length === 0) return null;
  return (
    <section className="wallet-refill-attempts" aria-labelledby={`${id}-heading`}>
      <h4 id={`${id}-heading`}>{t('refill.attempts')}</h4>
      <ul>
        {shown.map((attempt) => (
          <li key={attempt.id} data-refill-status={attempt.status}>
            {formatDateTime(attempt.updatedAt, language)}: {describeAttempt(attempt, t)} ({formatMoney(attempt.amountMinor, attempt.currency, language)})
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Recent wallet activity, newest first: what each call cost, top-ups, refills. */
export function ActivityList() {
  const wallet = useWallet();
  const activity = useStoreSelect(wallet.store, (state) => state.activity);
  const { t, language } = useWalletT();
  const id = useId();
  const shown = activity.slice(0, 10);
  // Receipts: the caller's own calls, every call for an admin (the manager answers 404 otherwise).
  const session = useStoreSelect(wallet.store, (state) => state.session);
  const mayOpenReceipt = (extension: string): boolean => session !== null && (session.user.role === 'admin' || session.user.extension === extension);
  return (
    <section className="wallet-activity" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{t('activity.heading')}</h3>
      {shown.length === 0 ? (
        <p className="hint">{t('activity.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('activity.column.date')}</th>
              <th scope="col">{t('activity.column.what')}</th>
              <th scope="col" className="num">
                {t('activity.column.amount')}
              </th>
              <th scope="col" className="num">
                {t('activity.column.balance')}
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((item) => (
              <tr key={item.transactionId} data-kind={item.kind}>
                <td>{formatDateTime(item.createdAt, language)}</td>
                <td>
                  {describe(item, t, language)}
                  {item.call !== null && mayOpenReceipt(item.call.extension) ? (
                    <>
                      {' '}
                      <CallReceiptButton seq={item.seq} number={item.call.number} />
                    </>
                  ) : null}
                </td>
                <td className="num">{formatMoney(item.amountMinor, item.currency, language)}</td>
                <td className="num">{formatMoney(item.balanceAfterMinor, item.currency, language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <RefillAttempts />
    </section>
  );
}
