import { ApiError } from '../http/api-error';
import { newId } from '../ids';
import type { CompanyRow, RefillRow, Store } from '../store/repository';
import { appendTransaction, dayMs, ledgerAccounts, lockCompany } from './ledger';
import type { WalletServiceOptions } from './wallet-options';

/** What automatic refill touches: the database, the card processor, its limits, the clock, live events. */
export type RefillDeps = Pick<
  WalletServiceOptions,
  'repository' | 'provider' | 'topUpAmountsMinor' | 'maxRefillsPerDay' | 'refillDeclinesBeforeDisable' | 'now' | 'onWalletChange'
>;

/** Admins change automatic refill; re-enabling clears the decline count. */
export async function setAutoRefill(
  deps: Pick<RefillDeps, 'repository' | 'topUpAmountsMinor' | 'onWalletChange'>,
  companyId: string,
  settings: { enabled: boolean; thresholdMinor: number; amountMinor: number },
): Promise<void> {
  if (!deps.topUpAmountsMinor.includes(settings.amountMinor)) {
    throw new ApiError(422, 'amount_not_allowed', `Refill amount must be one of ${deps.topUpAmountsMinor.join(', ')} (minor units)`);
  }
  if (settings.thresholdMinor > 1_000_000_00) throw new ApiError(422, 'validation_failed', 'Threshold is too high');
  await deps.repository.transaction(async (tx) => {
    const company = await lockCompany(tx, companyId);
    const reenabled = settings.enabled && !company.autoRefillEnabled;
    await tx.setAutoRefill(companyId, {
      ...settings,
      declines: reenabled ? 0 : company.autoRefillDeclines,
      disabledReason: settings.enabled ? null : company.autoRefillDisabledReason,
    });
    await tx.notifyWalletChange(companyId);
  });
  deps.onWalletChange(companyId);
}

/**
 * Called inside a debit's transaction, after the balance moved from `before` to `after`: records one
 * pending refill if this debit crossed the threshold downwards. The refill row is unique per triggering
 * transaction, and crossings are detected under the company lock, so concurrent debits and retries can
 * only ever produce one refill per crossing. Null when there is nothing to charge (no crossing, refill
 * off, or the day's limit reached: then a `skipped_limit` row and a notification).
 */
export async function refillOnCrossing(
  deps: Pick<RefillDeps, 'maxRefillsPerDay' | 'now'>,
  tx: Store,
  company: CompanyRow,
  balance: { readonly before: number; readonly after: number; readonly triggerSeq: number },
): Promise<RefillRow | null> {
  if (!company.autoRefillEnabled) return null;
  const threshold = company.autoRefillThresholdMinor;
  if (!(balance.before >= threshold && balance.after < threshold)) return null;
  const now = deps.now();
  const recent = await tx.countRefillsSince(company.id, now - dayMs);
  const limited = recent >= deps.maxRefillsPerDay;
  const refill: RefillRow = {
    id: newId('rfl'), companyId: company.id, triggerTxnSeq: balance.triggerSeq, amountMinor: company.autoRefillAmountMinor, currency: company.currency,
    status: limited ? 'skipped_limit' : 'pending', declineCode: null, providerReference: null, txnSeq: null, createdAt: now, updatedAt: now,
  };
  await tx.insertRefill(refill);
  if (limited) {
    await tx.insertNotification({ id: newId('ntf'), companyId: company.id, kind: 'auto_refill_limit_reached', message: `Automatic refill skipped: already ${recent} refills in the last 24 hours`, createdAt: now });
    return null;
  }
  return refill;
}

/** Charges the card for a pending refill and records approval or decline (three declines disable it). */
export async function processRefill(deps: RefillDeps, refillId: string): Promise<void> {
  const store = deps.repository.store;
  const refill = await store.getRefill(refillId);
  if (!refill || refill.status !== 'pending') return;
  const card = await store.getCard(refill.companyId);
  const result = card
    ? await deps.provider.charge({ idempotencyKey: refill.id, cardToken: card.providerToken, amountMinor: refill.amountMinor, currency: refill.currency, description: `Cabine automatic refill ${refill.id}` })
    : ({ status: 'declined', code: 'no_card_on_file' } as const);
  const changed = await deps.repository.transaction(async (tx) => {
    const company = await lockCompany(tx, refill.companyId);
    const current = await tx.getRefill(refill.id);
    if (!current || current.status !== 'pending') return false;
    const now = deps.now();
    if (result.status === 'approved') {
      const { seq } = await appendTransaction(deps, tx, {
        company, kind: 'auto_refill', reference: refill.id, walletDeltaMinor: refill.amountMinor, counterAccount: ledgerAccounts.cardFunding,
        details: { providerReference: result.reference, triggerSeq: refill.triggerTxnSeq },
      });
      await tx.updateRefill(refill.id, { status: 'succeeded', providerReference: result.reference, txnSeq: seq, updatedAt: now });
      if (company.autoRefillDeclines !== 0) {
        await tx.setAutoRefill(company.id, { enabled: company.autoRefillEnabled, thresholdMinor: company.autoRefillThresholdMinor, amountMinor: company.autoRefillAmountMinor, declines: 0, disabledReason: null });
      }
      return true;
    }
    await tx.updateRefill(refill.id, { status: 'declined', declineCode: result.code, updatedAt: now });
    const declines = company.autoRefillDeclines + 1;
    const disable = declines >= deps.refillDeclinesBeforeDisable;
    await tx.setAutoRefill(company.id, {
      enabled: company.autoRefillEnabled && !disable, thresholdMinor: company.autoRefillThresholdMinor, amountMinor: company.autoRefillAmountMinor,
      declines, disabledReason: disable ? `Disabled after ${declines} declined refills in a row` : company.autoRefillDisabledReason,
    });
    await tx.insertNotification({ id: newId('ntf'), companyId: company.id, kind: 'auto_refill_declined', message: `Automatic refill declined by the card (${result.code})`, createdAt: now });
    if (disable) {
      await tx.insertNotification({ id: newId('ntf'), companyId: company.id, kind: 'auto_refill_disabled', message: `Automatic refill was turned off after ${declines} declined attempts in a row; update the card and turn it back on`, createdAt: now });
    }
    await tx.notifyWalletChange(company.id);
    return true;
  });
  if (changed) deps.onWalletChange(refill.companyId);
}

/** Crash recovery: every pending refill is processed (the card processor replays by refill id). Answers how many. */
export async function recoverPendingRefills(deps: RefillDeps): Promise<number> {
  const refills = await deps.repository.store.listPendingRefills();
  for (const refill of refills) await processRefill(deps, refill.id);
  return refills.length;
}
