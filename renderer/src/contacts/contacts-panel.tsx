import { useContext, useEffect, useId, useState, type FormEvent } from 'react';
import { usePlacer } from '../calling/placer-context.js';
import { useContactsT, type ContactsTranslate } from '../i18n/use-contacts-t.js';
import { createStore } from '../state/store.js';
import { useStore, useStoreSelect } from '../state/use-store.js';
import { usePhone } from '../ui/phone-context.js';
import { WalletContext } from '../wallet/wallet-context.js';
import { initialWalletState } from '../wallet/wallet-store.js';
import { searchContacts, type ContactEntry } from './contact-search.js';
import { allEntries, contactsFor, type Contacts, type SaveProblem } from './contacts-store.js';

interface Draft {
  readonly id?: string;
  readonly name: string;
  readonly number: string;
}

/** Without a wallet (no company account in this build) there is never a company user. */
const noWallet = createStore(initialWalletState);

/** The signed-in company user's id, or null. */
function useCompanyUserId(): string | null {
  const wallet = useContext(WalletContext);
  return useStoreSelect(wallet?.store ?? noWallet, (state) => state.session?.user.id ?? null);
}

const problemKey = { invalid: 'contacts.invalid', full: 'contacts.full', 'not-saved': 'contacts.notSaved' } as const satisfies Record<SaveProblem, string>;

/** Add or edit one personal contact. */
function ContactForm({ contacts, draft, onDone, t }: { contacts: Contacts; draft: Draft; onDone: () => void; t: ContactsTranslate }) {
  const id = useId();
  const [name, setName] = useState(draft.name);
  const [number, setNumber] = useState(draft.number);
  const [problem, setProblem] = useState<SaveProblem | null>(null);
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    void contacts.savePersonal({ ...(draft.id === undefined ? {} : { id: draft.id }), name, number }).then((result) => {
      setProblem(result);
      if (result === null) onDone();
    });
  };
  return (
    <form className="contact-form" onSubmit={submit} aria-label={draft.id === undefined ? t('contacts.add') : t('contacts.editHeading')}>
      <label htmlFor={`${id}-name`}>{t('contacts.name')}</label>
      <input id={`${id}-name`} value={name} maxLength={80} onChange={(e) => setName(e.target.value)} />
      <label htmlFor={`${id}-number`}>{t('contacts.number')}</label>
      <input id={`${id}-number`} type="tel" inputMode="tel" value={number} maxLength={40} onChange={(e) => setNumber(e.target.value)} />
      <button type="submit">{t('contacts.save')}</button>
      <button type="button" className="link-button" onClick={onDone}>
        {t('contacts.cancel')}
      </button>
      {problem !== null ? (
        <p className="notice" role="alert">
          {t(problemKey[problem])}
        </p>
      ) : null}
    </form>
  );
}

/**
 * Contacts (issue 12 §7): the company directory (colleagues with their extension and numbers, ring
 * groups, company numbers, from the manager when signed in with the company account) and the personal
 * contacts the app keeps, in one list named "Contacts", searched by name, extension or number (accents
 * ignored). Call places the call through the call placer, the same pipeline and gate as the dialer.
 */
export function ContactsPanel() {
  const phone = usePhone();
  const placer = usePlacer();
  const { t } = useContactsT();
  const id = useId();
  const contacts = contactsFor(phone.host);
  const state = useStore(contacts.store);
  const { phase } = useStore(phone.registration);
  const companyUser = useCompanyUserId();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [cannotCall, setCannotCall] = useState(false);
  const registered = phase.kind === 'registered';

  // The directory is the signed-in company user's: fetched again whenever that user changes.
  useEffect(() => {
    void contacts.refreshDirectory();
  }, [contacts, companyUser]);

  const call = (entry: ContactEntry): void => {
    const result = placer.intentFor(entry.dial);
    setCannotCall(!result.ok);
    if (result.ok) void placer.place(result.intent);
  };
  const shown = searchContacts(allEntries(state), state.query);
  const directoryNote =
    state.directoryStatus === 'loading' ? 'contacts.directoryLoading'
      : state.directoryStatus === 'signed-out' ? 'contacts.directorySignedOut'
        : state.directoryStatus === 'unavailable' ? 'contacts.directoryUnavailable' : null;

  return (
    <section className="contacts card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('contacts.heading')}</h2>
      <label htmlFor={`${id}-search`}>{t('contacts.search')}</label>
      <input id={`${id}-search`} type="search" placeholder={t('contacts.searchHint')} value={state.query} onChange={(e) => contacts.setQuery(e.target.value)} />
      {directoryNote !== null ? <p className="hint">{t(directoryNote)}</p> : null}
      {cannotCall ? (
        <p className="notice" role="alert">
          {t('contacts.cannotCall')}
        </p>
      ) : null}
      {shown.length === 0 ? (
        <p className="hint">{t('contacts.empty')}</p>
      ) : (
        <ul className="contact-list" aria-label={t('contacts.heading')}>
          {shown.map((entry) => (
            <li key={entry.key} data-contact-kind={entry.kind}>
              <span className="contact-name">{entry.name}</span> <span className="hint">{t(`contacts.kind.${entry.kind}`)}</span>
              {entry.extension !== null ? <span className="contact-extension"> · {t('contacts.extension', { extension: entry.extension })}</span> : null}
              {entry.numbers.length > 0 ? <span className="contact-numbers"> · {entry.numbers.join(', ')}</span> : null}{' '}
              <button type="button" disabled={!registered || entry.dial === ''} aria-label={t('contacts.call', { name: entry.name })} onClick={() => call(entry)}>
                📞
              </button>
              {entry.personalId !== null ? (
                <>
                  <button type="button" className="link-button" aria-label={t('contacts.edit', { name: entry.name })} onClick={() => setDraft({ id: entry.personalId ?? '', name: entry.name, number: entry.dial })}>
                    ✎
                  </button>
                  <button type="button" className="link-button" aria-label={t('contacts.remove', { name: entry.name })} onClick={() => void contacts.removePersonal(entry.personalId ?? '')}>
                    ✕
                  </button>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {draft === null ? (
        <button type="button" onClick={() => setDraft({ name: '', number: '' })}>
          {t('contacts.add')}
        </button>
      ) : (
        <ContactForm key={draft.id ?? 'new'} contacts={contacts} draft={draft} onDone={() => setDraft(null)} t={t} />
      )}
    </section>
  );
}
