import { memo, useContext, useId, useState } from 'react';
import type { CallRecord } from '../../../shared/call-record.js';
import { formatDateTime, formatDuration, formatDurationLong } from '../i18n/format.js';
import { useT, type Translate } from '../i18n/use-t.js';
import { historyPageSize, historyWindow } from '../state/history-store.js';
import { useStore } from '../state/use-store.js';
import { usePhone } from './phone-context.js';
import { CallCost } from '../wallet/call-cost.js';
import { contactNameFor } from '../contacts/contact-search.js';
import { allEntries, contactsFor } from '../contacts/contacts-store.js';
import { WalletContext } from '../wallet/wallet-context.js';

export interface HistoryListProps {
  /** Put a number back into the dialer. */
  readonly onRedial: (number: string) => void;
}

interface HistoryRowProps {
  readonly record: CallRecord;
  /** The contact the number belongs to (Contacts), or null. */
  readonly contactName: string | null;
  readonly withCost: boolean;
  readonly t: Translate;
  readonly language: string;
  readonly onRedial: (number: string) => void;
}

/** One past call. */
function HistoryRow({ record, contactName, withCost, t, language, onRedial }: HistoryRowProps) {
  return (
    <tr data-direction={record.direction} data-outcome={record.outcome} data-number={record.number}>
      <td>
        <span aria-hidden="true" className={`direction direction-${record.direction}`}>
          {record.direction === 'incoming' ? '↙' : '↗'}
        </span>{' '}
        {t(`history.direction.${record.direction}`)}
      </td>
      <td>
        {contactName !== null ? <span className="history-contact" data-contact-name={contactName}>{contactName} </span> : null}
        <button type="button" className="link-button" aria-label={t('history.callBack', { number: record.number })} onClick={() => onRedial(record.number)}>
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
  );
}

/**
 * The call history, newest first: direction, number, start, duration, outcome. The newest
 * `historyPageSize` calls are on screen, and "Show older calls" adds as many again (history-store.ts
 * historyWindow); the store keeps them all.
 */
function HistoryListView({ onRedial }: HistoryListProps) {
  const phone = usePhone();
  const { records } = useStore(phone.history);
  const { t, language } = useT();
  const id = useId();
  const [shown, setShown] = useState(historyPageSize);
  const { rows, older } = historyWindow(records, shown);
  // With the company account, paid calls show what the wallet paid for them.
  const withCost = useContext(WalletContext) !== null;
  // A number of the company directory or of a personal contact shows the contact's name.
  const contacts = useStore(contactsFor(phone.host).store);
  const country = useStore(phone.settings).settings.defaultCountry;
  const entries = allEntries(contacts);
  return (
    <section className="history card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('history.heading')}</h2>
      {rows.length === 0 ? (
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
            {rows.map((record) => (
              <HistoryRow key={record.id} record={record} contactName={contactNameFor(entries, record.number, country)} withCost={withCost} t={t} language={language} onRedial={onRedial} />
            ))}
          </tbody>
        </table>
      )}
      {older > 0 ? (
        <button type="button" className="link-button history-more" onClick={() => setShown((count) => count + historyPageSize)}>
          {t('history.showOlder', { count: older })}
        </button>
      ) : null}
    </section>
  );
}

/** Memoised: the app re-renders on every call change, and this part does not depend on calls. */
export const HistoryList = memo(HistoryListView);
