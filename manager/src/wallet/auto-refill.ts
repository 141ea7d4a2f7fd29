import type { AuditActor } from '../audit/audit-trail';
import { recordAudit } from '../audit/audit-trail';
import { ApiError } from '../http/api-error';
import { newId } from '../ids';
import type { CompanyRow, RefillCause, RefillRow, Store } from '../store/repository';
import { appendTransaction, dayMs, ledgerAccounts, lockCompany } from './ledger';
import { notificationOf } from './notifications';
import type { WalletServiceOptions } from './wallet-options';

/**
 * After a decline, when the next attempt may start: 1 h after the first, 6 h after the second, 24 h after
 * the third and every later one, always within the day's limit (`maxRefillsPerDay`). Refill turns itself
 * off after `refillDeclinesBeforeDisable` declines in a row (4 by default: the first attempt and the three
 * retries). Overridden by `WalletServiceOptions.refillRetryDelaysMs` (tests).
 */
export const defaultRefillRetryDelaysMs: readonly number[] = [3_600_000, 6 * 3_600_000, 24 * 3_600_000];

/** What automatic refill touches: the database, the card processor, its limits, the clock, live events. */
export type RefillDeps = Pick<
  WalletServiceOptions,
  'repository' | 'provider' | 'topUpAmountsMinor' | 'maxRefillsPerDay' | 'refillDeclinesBeforeDisable' | 'refillRetryDelaysMs' | 'now' | 'onWalletChange'
>;

/** What `refillIfDue` reads: the day's limit, the retry schedule and the clock. */
export type RefillCheckDeps = Pick<RefillDeps, 'maxRefillsPerDay' | 'refillRetryDelaysMs' | 'now'>;

/** The delay before retry number `declines` (1 = after the first decline). */
export function retryDelayMs(deps: Pick<RefillDeps, 'refillRetryDelaysMs'>, declines: number): number {
  const delays = deps.refillRetryDelaysMs ?? defaultRefillRetryDelaysMs;
  const last = delays.at(-1) ?? dayMs;
  return delays[Math.max(0, declines - 1)] ?? last;
}

/**
 * Admins change automatic refill; re-enabling clears the decline count. Saving the settings also clears
 * a waiting retry (the admin may just have changed the card) and, when the funds available are already
 * below the level, starts a refill at once: the returned row, which the caller charges after the commit.
 */
export async function setAutoRefill(
  deps: Pick<RefillDeps, 'repository' | 'topUpAmountsMinor' | 'onWalletChange' | 'maxRefillsPerDay' | 'refillRetryDelaysMs' | 'now'>,
  companyId: string,
  settings: { enabled: boolean; thresholdMinor: number; amountMinor: number },
  actor: AuditActor,
): Promise<RefillRow | null> {
  if (!deps.topUpAmountsMinor.includes(settings.amountMinor)) {
    throw new ApiError(422, 'amount_not_allowed', `Refill amount must be one of ${deps.topUpAmountsMinor.join(', ')} (minor units)`);
  }
  if (settings.thresholdMinor > 1_000_000_00) throw new ApiError(422, 'validation_failed', 'Threshold is too high');
  const refill = await deps.repository.transaction(async (tx) => {
    const company = await lockCompany(tx, companyId);
    const reenabled = settings.enabled && !company.autoRefillEnabled;
    const declines = reenabled ? 0 : company.autoRefillDeclines;
    const disabledReason = settings.enabled ? null : company.autoRefillDisabledReason;
    await tx.setAutoRefill(companyId, { ...settings, declines, disabledReason });
    await tx.setAutoRefillRetryAt(companyId, null);
    await tx.notifyWalletChange(companyId);
    await recordAudit(tx, { companyId, actor, action: 'refill.changed', details: { enabled: settings.enabled, thresholdMinor: settings.thresholdMinor, amountMinor: settings.amountMinor }, at: deps.now() });
    const updated: CompanyRow = {
      ...company, autoRefillEnabled: settings.enabled, autoRefillThresholdMinor: settings.thresholdMinor, autoRefillAmountMinor: settings.amountMinor,
      autoRefillDeclines: declines, autoRefillDisabledReason: disabledReason, autoRefillRetryAt: null,
    };
    return refillIfDue(deps, tx, updated, { cause: 'settings', reference: null });
  });
  deps.onWalletChange(companyId);
  return refill;
}

/**
 * A new card on file: a retry waiting after a decline starts now instead of at its time (the admin did
 * what the notice asked), if refill is on and the funds are below the level. Returns the refill to charge.
 */
export async function refillAfterCardChange(deps: Pick<RefillDeps, 'repository' | 'maxRefillsPerDay' | 'refillRetryDelaysMs' | 'now'>, companyId: string): Promise<RefillRow | null> {
  return deps.repository.transaction(async (tx) => {
    const company = await lockCompany(tx, companyId);
    if (!company.autoRefillEnabled || company.autoRefillRetryAt == null) return null;
    await tx.setAutoRefillRetryAt(companyId, null);
    return refillIfDue(deps, tx, { ...company, autoRefillRetryAt: null }, { cause: 'settings', reference: 'card' });
  });
}

/**
 * The one rule of automatic refill, run under the company lock after anything that lowered the funds
 * available (a reservation, an extension, a charge), after the settings change, at a scheduled retry and
 * after a refill that left the funds still low. `company` is the row as this transaction leaves it.
 *
 * A refill is due when refill is on, no retry is scheduled later than now, the funds available
 * (balance − every active reservation: money held for calls in progress is already spoken for) are below
 * the level, or a live call near its cap cannot be extended (`callOutOfFunds`), and no other refill of the
 * company is being charged. So concurrent calls that take the funds
 * below the level together start one refill (the lock serialises them; the partial unique index
 * `refills_one_in_flight` makes it a database fact), and a call that outlasts its funds starts another
 * each time its extension takes them down again. Past the day's limit a `skipped_limit` row records it,
 * admins are told once and the next attempt waits until the oldest counted one is 24 h old.
 *
 * Returns the pending row for the caller to charge after the commit (`processRefill`), or null.
 */
export async function refillIfDue(
  deps: RefillCheckDeps,
  tx: Store,
  company: CompanyRow,
  cause: {
    readonly cause: Exclude<RefillCause, 'debit'>;
    readonly reference: string | null;
    readonly triggerTxnSeq?: number | null;
    /**
     * A live call is near its cap and the funds cannot extend it: a refill is due whatever the level (the
     * call itself is out of funds; without one it would be cut although refill is on).
     */
    readonly callOutOfFunds?: boolean;
  },
): Promise<RefillRow | null> {
  if (!company.autoRefillEnabled) return null;
  const now = deps.now();
  const retryAt = company.autoRefillRetryAt ?? null;
  if (retryAt !== null && retryAt > now) return null;
  const reserved = await tx.sumActiveReservations(company.id, now);
  const available = company.balanceMinor - reserved;
  if (available >= company.autoRefillThresholdMinor && cause.callOutOfFunds !== true) {
    // Somebody else (a top-up) brought the funds back: the waiting retry is not needed any more.
    if (retryAt !== null) await tx.setAutoRefillRetryAt(company.id, null);
    return null;
  }
  if (await tx.hasPendingRefill(company.id)) return null;
  const since = now - dayMs;
  const recent = await tx.countRefillsSince(company.id, since);
  const attempt = company.autoRefillDeclines + 1;
  const limited = recent >= deps.maxRefillsPerDay;
  const refill: RefillRow = {
    id: newId('rfl'), companyId: company.id, triggerTxnSeq: cause.triggerTxnSeq ?? null, cause: cause.cause, causeReference: cause.reference, attempt,
    amountMinor: company.autoRefillAmountMinor, currency: company.currency,
    status: limited ? 'skipped_limit' : 'pending', declineCode: null, providerReference: null, txnSeq: null, createdAt: now, updatedAt: now,
  };
  await tx.insertRefill(refill);
  if (limited) {
    const first = (await tx.firstRefillSince(company.id, since)) ?? now;
    const nextAt = Math.max(now + 1, first + dayMs);
    await tx.setAutoRefillRetryAt(company.id, nextAt);
    await tx.insertNotification(notificationOf(company.id, now, { kind: 'auto_refill_limit_reached', count: recent, limit: deps.maxRefillsPerDay, retryAt: nextAt }));
    await tx.notifyWalletChange(company.id);
    return null;
  }
  if (retryAt !== null) await tx.setAutoRefillRetryAt(company.id, null);
  await tx.notifyWalletChange(company.id);
  return refill;
}

/**
 * Charges the card for a pending refill and records approval or decline. A decline schedules the next
 * attempt (`retryDelayMs`) and tells the admins; `refillDeclinesBeforeDisable` in a row turn refill off.
 * An approval that still leaves the funds below the level starts the next refill (within the day's
 * limit): its id is returned for the caller to charge in turn.
 */
export async function processRefill(deps: RefillDeps, refillId: string): Promise<string | null> {
  const store = deps.repository.store;
  const refill = await store.getRefill(refillId);
  if (!refill || refill.status !== 'pending') return null;
  const card = await store.getCard(refill.companyId);
  const result = card
    ? await deps.provider.charge({ idempotencyKey: refill.id, cardToken: card.providerToken, amountMinor: refill.amountMinor, currency: refill.currency, description: `Cabine automatic refill ${refill.id}` })
    : ({ status: 'declined', code: 'no_card_on_file' } as const);
  const outcome = await deps.repository.transaction(async (tx) => {
    const company = await lockCompany(tx, refill.companyId);
    const current = await tx.getRefill(refill.id);
    if (!current || current.status !== 'pending') return { changed: false, next: null };
    const now = deps.now();
    if (result.status === 'approved') {
      const { seq, balanceAfter } = await appendTransaction(deps, tx, {
        company, kind: 'auto_refill', reference: refill.id, walletDeltaMinor: refill.amountMinor, counterAccount: ledgerAccounts.cardFunding,
        details: { providerReference: result.reference, triggerSeq: refill.triggerTxnSeq, cause: refill.cause ?? 'debit', attempt: refill.attempt ?? 1 },
      });
      await tx.updateRefill(refill.id, { status: 'succeeded', providerReference: result.reference, txnSeq: seq, updatedAt: now });
      if (company.autoRefillDeclines !== 0) {
        await tx.setAutoRefill(company.id, { enabled: company.autoRefillEnabled, thresholdMinor: company.autoRefillThresholdMinor, amountMinor: company.autoRefillAmountMinor, declines: 0, disabledReason: null });
      }
      const after: CompanyRow = { ...company, balanceMinor: balanceAfter, lastSeq: seq, autoRefillDeclines: 0 };
      const next = await refillIfDue(deps, tx, after, { cause: 'refill', reference: refill.id });
      return { changed: true, next: next?.id ?? null };
    }
    await tx.updateRefill(refill.id, { status: 'declined', declineCode: result.code, updatedAt: now });
    const declines = company.autoRefillDeclines + 1;
    const disable = declines >= deps.refillDeclinesBeforeDisable;
    await tx.setAutoRefill(company.id, {
      enabled: company.autoRefillEnabled && !disable, thresholdMinor: company.autoRefillThresholdMinor, amountMinor: company.autoRefillAmountMinor,
      declines, disabledReason: disable ? `Disabled after ${declines} declined refills in a row` : company.autoRefillDisabledReason,
    });
    const retryAt = disable ? null : now + retryDelayMs(deps, declines);
    await tx.setAutoRefillRetryAt(company.id, retryAt);
    await tx.insertNotification(notificationOf(company.id, now, { kind: 'auto_refill_declined', code: result.code, declines, retryAt }));
    if (disable) await tx.insertNotification(notificationOf(company.id, now, { kind: 'auto_refill_disabled', declines }));
    await tx.notifyWalletChange(company.id);
    return { changed: true, next: null };
  });
  if (outcome.changed) deps.onWalletChange(refill.companyId);
  return outcome.next;
}

/**
 * Scheduled retries whose time has come (the schedule is `companies.auto_refill_retry_at`, so it survives
 * a restart): each company is looked at again under its lock and refilled if still due. Answers the
 * refills started, for the caller to charge.
 */
export async function startDueRetries(deps: Pick<RefillDeps, 'repository' | 'maxRefillsPerDay' | 'refillRetryDelaysMs' | 'now'>): Promise<string[]> {
  const due = await deps.repository.store.listCompaniesWithRefillRetryDue(deps.now());
  const started: string[] = [];
  for (const companyId of due) {
    const refill = await deps.repository.transaction(async (tx) => refillIfDue(deps, tx, await lockCompany(tx, companyId), { cause: 'retry', reference: null }));
    if (refill) started.push(refill.id);
  }
  return started;
}

/** Crash recovery: every pending refill is processed (the card processor replays by refill id). Answers how many. */
export async function recoverPendingRefills(deps: RefillDeps, charge: (refillId: string) => Promise<void>): Promise<number> {
  const refills = await deps.repository.store.listPendingRefills();
  for (const refill of refills) await charge(refill.id);
  return refills.length;
}
