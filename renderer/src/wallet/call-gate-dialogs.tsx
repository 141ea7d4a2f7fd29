import { useId, useRef, useState } from 'react';
import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import { assertNever } from '../../../shared/assert-never.js';
import { isPremiumKind } from '../../../shared/billing/call-policy.js';
import { countryName } from '../i18n/format.js';
import { useBudgetT } from '../i18n/use-budget-t.js';
import { useWalletT, type WalletTranslate } from '../i18n/use-wallet-t.js';
import { useStore } from '../state/use-store.js';
import type { GateDecision } from './gate-decision.js';
import { ModalDialog } from './modal-dialog.js';
import { useWallet } from './wallet-context.js';
import { formatMoney, formatRate } from './wallet-format.js';
import { AddFundsButton } from './add-funds-button.js';

/**
 * The destination in the UI's language: the country's name from Intl and the number type from our
 * strings (the rate deck's own names are English), e.g. "États-Unis · Fixe".
 */
function destinationName(quote: QuoteResponse, t: WalletTranslate, language: string): string {
  const rate = quote.rate;
  if (rate === null) return quote.country === null ? quote.number : countryName(quote.country, language);
  return `${countryName(rate.country, language)} · ${t(`rates.type.${rate.numberType}`)}`;
}

/** The facts of a quote, formatted for the locale. */
function quoteFacts(quote: QuoteResponse, t: WalletTranslate, language: string) {
  const rate = quote.rate;
  return {
    balance: formatMoney(quote.balanceMinor, quote.currency, language),
    rate: rate === null ? '—' : formatRate(rate.pricePerMinute.decimal, quote.currency, language),
    fee: rate === null ? '—' : formatRate(rate.connectionFee.decimal, quote.currency, language),
    minutes: quote.minutesAffordable ?? 0,
    destination: destinationName(quote, t, language),
  };
}

function QuoteTable({ quote, number, t, language }: { quote: QuoteResponse; number: string; t: WalletTranslate; language: string }) {
  const facts = quoteFacts(quote, t, language);
  const budget = useBudgetT().t;
  const budgetLeft = quote.budgetLeftMinor ?? null;
  return (
    <dl className="quote-facts">
      <dt>{t('gate.destination')}</dt>
      <dd>
        {facts.destination} <span className="quote-number">{number}</span>
      </dd>
      <dt>{t('gate.balance')}</dt>
      <dd data-testid="gate-balance">{facts.balance}</dd>
      {budgetLeft === null ? null : (
        <>
          <dt>{budget('budget.gateLeft')}</dt>
          <dd data-testid="gate-budget">{formatMoney(budgetLeft, quote.currency, language)}</dd>
        </>
      )}
      <dt>{t('gate.rate')}</dt>
      <dd data-testid="gate-rate">{facts.rate}</dd>
      <dt>{t('gate.fee')}</dt>
      <dd>{facts.fee}</dd>
      <dt>{t('gate.minutes')}</dt>
      <dd data-testid="gate-minutes">{t('gate.minutesValue', { minutes: facts.minutes })}</dd>
    </dl>
  );
}

function PaidCallDialog({ quote, number }: { quote: QuoteResponse; number: string }) {
  const wallet = useWallet();
  const { t, language } = useWalletT();
  const id = useId();
  const callRef = useRef<HTMLButtonElement>(null);
  return (
    <ModalDialog role="dialog" titleId={`${id}-title`} descriptionId={`${id}-desc`} onCancel={wallet.cancelGate} initialFocus={callRef}>
      <h2 id={`${id}-title`}>{t('gate.title')}</h2>
      <div id={`${id}-desc`}>
        <p>{t('gate.intro')}</p>
        <QuoteTable quote={quote} number={number} t={t} language={language} />
        {quote.warnings.includes('low_balance') ? <p className="notice">{t('gate.lowBalance')}</p> : null}
      </div>
      <div className="dialog-actions">
        <button type="button" onClick={wallet.cancelGate}>
          {t('gate.cancel')}
        </button>
        <button type="button" className="primary" ref={callRef} onClick={wallet.confirmGate}>
          {t('gate.call')}
        </button>
      </div>
    </ModalDialog>
  );
}

function premiumSentence(quote: QuoteResponse, number: string, t: WalletTranslate): string {
  const { kind } = quote;
  // The premium kinds have their own sentence; the manager may ask to confirm others (a paid service).
  return isPremiumKind(kind) ? t(`premium.kind.${kind}`, { number }) : t('premium.kind.other', { number });
}

/** The warning that cannot be missed: an alert dialog, focus on the confirmation, Call disabled until ticked. */
function PremiumDialog({ quote, number }: { quote: QuoteResponse; number: string }) {
  const wallet = useWallet();
  const { t, language } = useWalletT();
  const id = useId();
  const [confirmed, setConfirmed] = useState(false);
  const [nudged, setNudged] = useState(false);
  const confirmRef = useRef<HTMLInputElement>(null);
  const facts = quoteFacts(quote, t, language);
  return (
    <ModalDialog role="alertdialog" titleId={`${id}-title`} descriptionId={`${id}-desc`} onCancel={wallet.cancelGate} initialFocus={confirmRef} className="premium">
      <h2 id={`${id}-title`}>
        <span aria-hidden="true">⚠ </span>
        {t('premium.title')}
      </h2>
      <div id={`${id}-desc`}>
        <p className="premium-kind">{premiumSentence(quote, number, t)}</p>
        <p>{t('premium.cost', { rate: facts.rate, fee: facts.fee, balance: facts.balance, minutes: facts.minutes })}</p>
      </div>
      <label className="checkbox premium-confirm">
        <input
          ref={confirmRef}
          type="checkbox"
          checked={confirmed}
          aria-describedby={nudged ? `${id}-nudge` : undefined}
          onChange={(event) => {
            setConfirmed(event.target.checked);
            setNudged(false);
          }}
        />
        {t('premium.confirm')}
      </label>
      {nudged ? (
        <p id={`${id}-nudge`} className="error" role="alert">
          {t('premium.confirmFirst')}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={wallet.cancelGate}>
          {t('gate.cancel')}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            // Never auto-confirmed: the box must be ticked by the user, every time.
            if (!confirmed) {
              setNudged(true);
              confirmRef.current?.focus();
              return;
            }
            wallet.confirmGate();
          }}
        >
          {t('gate.call')}
        </button>
      </div>
    </ModalDialog>
  );
}

function BlockedDialog({ quote, number, canAddFunds }: { quote: QuoteResponse; number: string; canAddFunds: boolean }) {
  const wallet = useWallet();
  const { t, language } = useWalletT();
  const id = useId();
  return (
    <ModalDialog role="alertdialog" titleId={`${id}-title`} descriptionId={`${id}-desc`} onCancel={wallet.cancelGate}>
      <h2 id={`${id}-title`}>{t('blocked.title')}</h2>
      <div id={`${id}-desc`}>
        <p>{t('blocked.body', { balance: formatMoney(quote.balanceMinor, quote.currency, language), number })}</p>
        <p>{canAddFunds ? t('blocked.admin') : t('blocked.employee')}</p>
      </div>
      <div className="dialog-actions">
        <button type="button" onClick={wallet.cancelGate}>
          {t('blocked.close')}
        </button>
        {canAddFunds ? <AddFundsButton className="primary" /> : null}
      </div>
    </ModalDialog>
  );
}

function RefusedDialog({ reason }: { reason: Extract<GateDecision, { kind: 'refused' }>['reason'] }) {
  const wallet = useWallet();
  const { t } = useWalletT();
  const id = useId();
  return (
    <ModalDialog role="alertdialog" titleId={`${id}-title`} descriptionId={`${id}-desc`} onCancel={wallet.cancelGate}>
      <h2 id={`${id}-title`}>{t('refused.title')}</h2>
      <p id={`${id}-desc`}>{t(`refused.${reason}`)}</p>
      <div className="dialog-actions">
        <button type="button" onClick={wallet.cancelGate}>
          {t('blocked.close')}
        </button>
      </div>
    </ModalDialog>
  );
}

/** Whatever the gate is showing now. Mounted once, by the wallet provider. */
export function CallGate() {
  const wallet = useWallet();
  const { gate } = useStore(wallet.store);
  const { t } = useWalletT();
  switch (gate.phase) {
    case 'idle':
      return null;
    case 'checking':
      return (
        <p className="gate-checking" aria-live="polite">
          {t('gate.checking', { number: gate.display })}
        </p>
      );
    case 'decided': {
      const { decision } = gate;
      switch (decision.kind) {
        case 'straight':
          return null;
        case 'gate':
          return <PaidCallDialog quote={decision.quote} number={gate.display} />;
        case 'premium':
          return <PremiumDialog quote={decision.quote} number={gate.display} />;
        case 'blocked-no-funds':
          return <BlockedDialog quote={decision.quote} number={gate.display} canAddFunds={decision.canAddFunds} />;
        case 'refused':
          return <RefusedDialog reason={decision.reason} />;
        default:
          return assertNever(decision);
      }
    }
    default:
      return assertNever(gate);
  }
}
