import type { QuoteResponse } from '../../../shared/api/rate-schemas.js';
import { assertNever } from '../../../shared/assert-never.js';
import { useWalletT, type WalletTranslate } from '../i18n/use-wallet-t.js';
import { useStore } from '../state/use-store.js';
import type { GateDecision } from './gate-decision.js';
import { useWallet } from './wallet-context.js';
import type { CostPreview } from './wallet-store.js';
import { formatMoney, formatRate } from './wallet-format.js';

/** The cost facts of a quote in the UI's language: rate per minute, balance, minutes it buys. */
function costFacts(quote: QuoteResponse, language: string) {
  return {
    rate: quote.rate === null ? '—' : formatRate(quote.rate.pricePerMinute.decimal, quote.currency, language),
    balance: formatMoney(quote.balanceMinor, quote.currency, language),
    minutes: quote.minutesAffordable ?? 0,
  };
}

/** The sentence for a decision, and the kind tests and styles key on; null: nothing worth saying (free). */
function costText(decision: GateDecision, t: WalletTranslate, language: string): { kind: string; text: string } | null {
  switch (decision.kind) {
    case 'straight':
      return decision.included ? { kind: 'included', text: t('cost.included') } : null;
    case 'gate':
      return { kind: 'paid', text: t('cost.paid', costFacts(decision.quote, language)) };
    case 'premium':
      return { kind: 'premium', text: t('cost.premium', costFacts(decision.quote, language)) };
    case 'blocked-no-funds':
      return { kind: 'no-funds', text: t('cost.noFunds', costFacts(decision.quote, language)) };
    case 'refused':
      return { kind: 'refused', text: decision.reason === 'wallet-unavailable' ? t('cost.unavailable') : t(`refused.${decision.reason}`) };
    default:
      return assertNever(decision);
  }
}

function lineFor(preview: CostPreview, t: WalletTranslate, language: string): { kind: string; text: string } | null {
  switch (preview.phase) {
    case 'checking':
      return { kind: 'checking', text: t('cost.checking') };
    case 'ready':
      return costText(preview.decision, t, language);
    default:
      return assertNever(preview);
  }
}

/**
 * The cost of the number being typed, under the field, before anyone presses Call: "Included in your
 * plan", or the rate, the balance and the minutes it buys, or why it cannot be called. Only with a company
 * sign-in (the wallet's preview, wallet-gate.ts).
 */
export function CostLine({ id }: { readonly id: string }) {
  const wallet = useWallet();
  const { preview } = useStore(wallet.store);
  const { t, language } = useWalletT();
  const line = preview === null ? null : lineFor(preview, t, language);
  return (
    <p id={id} className={line === null ? 'cost-line empty' : `cost-line cost-${line.kind}`} data-testid="cost-line" data-cost-kind={line?.kind ?? 'none'} aria-live="polite">
      {line?.text ?? ''}
    </p>
  );
}
