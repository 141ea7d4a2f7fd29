import { memo, useContext, useId } from 'react';
import { formatDateTime, formatDuration, formatDurationLong } from '../i18n/format.js';
import { useT } from '../i18n/use-t.js';
import { useStore } from '../state/use-store.js';
import { usePhone } from './phone-context.js';
import { CallCost } from '../wallet/call-cost.js';
import { WalletContext } from '../wallet/wallet-context.js';

export interface HistoryListProps {
  /** Put a number back into the dialer. */
  readonly onRedial: (number: string) => void;
}

/** The call history, newest first: direction, number, start, duration, outcome. */
function HistoryListView({ onRedial }: HistoryListProps) {
  const phone = usePhone();
  const { records } = useStore(phone.history);
  const { t, language } = useT();
  const id = useId();
  const newestFirst = [...records].reverse();
  // With the company account, paid calls show what the wallet paid for them.
  const withCost = useContext(WalletContext) !== null;
  return (
    <section className="history card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('history.heading')}</h2>
      {newestFirst.length === 0 ? (
        <p className="hint">{t('history.empty')}</p>
      ) : (
        <table className="history-table" data-testid="call-history">
          <thead>
            <tr>
              <th scope="col">{t('history.column.direction')}</th>
              <th scope="col">{t('history.column.number')}</th>
              <th scope="col">{t('history.column.start')}</th>
              <th scope="col">{t('history.column.duration')}</th>
              <th scope="col">{t('history.column.outcome')}</th>
              {withCost ? <th scope="col">{t('history.column.cost')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((record) => (
              <tr key={record.id} data-direction={record.direction} data-outcome={record.outcome} data-number={record.number}>
                <td>
                  <span aria-hidden="true" className={`direction direction-${record.direction}`}>
                    {record.direction === 'incoming' ? '↙' : '↗'}
                  </span>{' '}
                  {t(`history.direction.${record.direction}`)}
                </td>
                <td>
                  <button
                    type="button"
                    className="link-button"
                    aria-label={t('history.callBack', { number: record.number })}
                    onClick={() => onRedial(record.number)}
                  >
                    {record.number}
                  </button>
                </td>
                <td>
                  <time dateTime={record.startedAt}>{formatDateTime(record.startedAt, language)}</time>
                </td>
                <td>
                  <span aria-label={formatDurationLong(record.durationSeconds, language)}>{formatDuration(record.durationSeconds)}</span>
                </td>
                <td className={`outcome outcome-${record.outcome}`}>{t(`history.outcome.${record.outcome}`)}</td>
                {withCost ? (
                  <td>
                    <CallCost sipCallId={record.sipCallId} language={language} />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Memoised: the app re-renders on every call change, and this part does not depend on calls. */
export const HistoryList = memo(HistoryListView);
