import type { DeclineCode, TopUpResponse, TopUpView } from '../../../shared/api/wallet-schemas';
import type { CurrencyCode } from '../../../shared/money/currency';
import type { AuditActor } from '../audit/audit-trail';
import { recordAudit } from '../audit/audit-trail';
import { ApiError } from '../http/api-error';
import { newId, sha256Hex } from '../ids';
import type { TopUpRow } from '../store/repository';
import { appendTransaction, ledgerAccounts, lockCompany } from './ledger';
import { notificationOf } from './notifications';
import type { WalletServiceOptions } from './wallet-options';

/** What top-ups touch: the database, the card processor, the allowed amounts, the clock, live events. */
export type TopUpDeps = Pick<WalletServiceOptions, 'repository' | 'provider' | 'topUpAmountsMinor' | 'now' | 'onWalletChange'>;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The public view of a top-up (receipt). */
export function topUpView(row: TopUpRow): TopUpView {
  return {
    id: row.id,
    companyId: row.companyId,
    amountMinor: row.amountMinor,
    currency: row.currency,
    status: row.status,
    declineCode: (row.declineCode as DeclineCode | null) ?? null,
    receiptNumber: row.receiptNumber,
    cardLast4: row.cardLast4,
    createdAt: iso(row.createdAt),
    cancelledAt: row.cancelledAt === null ? null : iso(row.cancelledAt),
  };
}

/**
 * Adds funds from the card on file. Idempotent by `idempotencyKey` (per company): the first request's
 * answer is stored and replayed; the same key with another body is refused (422); a duplicate arriving
 * while the first is still charging gets 409 and may retry.
 */
export async function topUp(
  deps: TopUpDeps,
  args: { companyId: string; userId: string; amountMinor: number; currency: CurrencyCode; idempotencyKey: string },
): Promise<{ status: number; body: TopUpResponse }> {
  const requestHash = sha256Hex(JSON.stringify({ amountMinor: args.amountMinor, currency: args.currency }));
  const started = await deps.repository.transaction(async (tx) => {
    const company = await lockCompany(tx, args.companyId);
    const existing = await tx.getTopUpByKey(args.companyId, args.idempotencyKey);
    if (existing) {
      if (existing.requestHash !== requestHash) {
        throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request');
      }
      if (existing.status === 'pending' || existing.responseBody === null || existing.responseStatus === null) {
        throw new ApiError(409, 'idempotency_key_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly', undefined, { 'Retry-After': '1' });
      }
      return { kind: 'replay' as const, replay: { status: existing.responseStatus, body: JSON.parse(existing.responseBody) as TopUpResponse } };
    }
    // Validated inside the transaction, after the replay check, so a replay never depends on today's list.
    if (args.currency !== company.currency) throw new ApiError(422, 'amount_not_allowed', `This wallet is in ${company.currency}`);
    if (!deps.topUpAmountsMinor.includes(args.amountMinor)) {
      throw new ApiError(422, 'amount_not_allowed', `Amount must be one of ${deps.topUpAmountsMinor.join(', ')} (minor units)`);
    }
    const card = await tx.getCard(args.companyId);
    const now = deps.now();
    const row: TopUpRow = {
      id: newId('top'), companyId: args.companyId, userId: args.userId, idempotencyKey: args.idempotencyKey, requestHash,
      amountMinor: args.amountMinor, currency: args.currency, status: 'pending', declineCode: null, providerReference: null,
      cardLast4: card?.last4 ?? null, receiptNumber: null, txnSeq: null, responseStatus: null, responseBody: null,
      cancelTxnSeq: null, cancelReason: null, refundStatus: null, createdAt: now, updatedAt: now, cancelledAt: null,
    };
    await tx.insertTopUp(row);
    return { kind: 'charge' as const, row, cardToken: card?.providerToken ?? null };
  });
  if (started.kind === 'replay') return started.replay;
  return chargeTopUp(deps, started.row, started.cardToken);
}

/** Charges a pending top-up and records the outcome; also used by crash recovery. */
async function chargeTopUp(deps: TopUpDeps, row: TopUpRow, cardToken: string | null): Promise<{ status: number; body: TopUpResponse }> {
  const result = cardToken
    ? await deps.provider.charge({ idempotencyKey: row.id, cardToken, amountMinor: row.amountMinor, currency: row.currency, description: `Cabine prepaid top-up ${row.id}` })
    : ({ status: 'declined', code: 'no_card_on_file' } as const);
  const outcome = await deps.repository.transaction(async (tx) => {
    const company = await lockCompany(tx, row.companyId);
    const current = await tx.getTopUp(row.id);
    if (!current) throw new ApiError(404, 'not_found', 'Top-up vanished');
    if (current.status !== 'pending' && current.responseBody !== null && current.responseStatus !== null) {
      // Someone (recovery in another instance) finished it first: their answer stands.
      return { status: current.responseStatus, body: JSON.parse(current.responseBody) as TopUpResponse, changed: false };
    }
    const now = deps.now();
    if (result.status === 'approved') {
      const { seq, balanceAfter } = await appendTransaction(deps, tx, {
        company, kind: 'topup', reference: row.id, walletDeltaMinor: row.amountMinor, counterAccount: ledgerAccounts.cardFunding,
        details: { providerReference: result.reference },
      });
      const receiptNumber = `R-${String(seq).padStart(8, '0')}`;
      const updated: TopUpRow = { ...current, status: 'succeeded', providerReference: result.reference, txnSeq: seq, receiptNumber, updatedAt: now };
      const body: TopUpResponse = { topUp: topUpView(updated), balanceMinor: balanceAfter };
      await tx.updateTopUp(row.id, { status: 'succeeded', providerReference: result.reference, txnSeq: seq, receiptNumber, updatedAt: now, responseStatus: 201, responseBody: JSON.stringify(body) });
      // Audited with the money, once: a replay or a recovery that finds it done writes nothing more.
      const requester = row.userId === null ? null : await tx.getUser(row.userId);
      await recordAudit(tx, {
        companyId: row.companyId, actor: requester ?? { id: null, email: 'unknown' }, action: 'funds.added', target: row.id,
        details: { amountMinor: row.amountMinor, currency: row.currency, receiptNumber, idempotencyKey: row.idempotencyKey.slice(0, 128) }, at: now,
      });
      return { status: 201, body, changed: true };
    }
    const updated: TopUpRow = { ...current, status: 'declined', declineCode: result.code, updatedAt: now };
    const body: TopUpResponse = { topUp: topUpView(updated), balanceMinor: company.balanceMinor };
    await tx.updateTopUp(row.id, { status: 'declined', declineCode: result.code, updatedAt: now, responseStatus: 402, responseBody: JSON.stringify(body) });
    return { status: 402, body, changed: false };
  });
  if (outcome.changed) deps.onWalletChange(row.companyId);
  return { status: outcome.status, body: outcome.body };
}

/** One top-up of a company (receipt); 404 for another company's id. `companyId` null: any company (care). */
export async function getTopUp(deps: Pick<TopUpDeps, 'repository'>, companyId: string | null, id: string): Promise<TopUpView> {
  const row = await deps.repository.store.getTopUp(id);
  if (!row || (companyId !== null && row.companyId !== companyId)) throw new ApiError(404, 'not_found', 'No such top-up');
  return topUpView(row);
}

/**
 * Customer care cancels a top-up: a reversing transaction takes the amount back out of the wallet (never
 * an edit), then the card is refunded. Refused when the wallet no longer holds the amount.
 */
export async function cancelTopUp(deps: TopUpDeps, id: string, reason: string, actor: AuditActor): Promise<TopUpResponse> {
  const outcome = await deps.repository.transaction(async (tx) => {
    const found = await tx.getTopUp(id);
    if (!found) throw new ApiError(404, 'not_found', 'No such top-up');
    const company = await lockCompany(tx, found.companyId);
    const row = await tx.getTopUp(id);
    if (!row) throw new ApiError(404, 'not_found', 'No such top-up');
    if (row.status === 'cancelled') throw new ApiError(409, 'conflict', 'This top-up is already cancelled');
    if (row.status !== 'succeeded') throw new ApiError(409, 'conflict', `Only a succeeded top-up can be cancelled (this one is ${row.status})`);
    const reserved = await tx.sumActiveReservations(company.id, deps.now());
    if (company.balanceMinor - reserved < row.amountMinor) {
      throw new ApiError(409, 'conflict', 'The wallet no longer holds this amount (some was spent or is reserved for calls in progress)');
    }
    const { seq, balanceAfter } = await appendTransaction(deps, tx, {
      company, kind: 'reversal', reference: row.id, walletDeltaMinor: -row.amountMinor, counterAccount: ledgerAccounts.cardFunding,
      details: { reason },
    });
    const now = deps.now();
    await tx.updateTopUp(id, { status: 'cancelled', cancelTxnSeq: seq, cancelReason: reason, cancelledAt: now, updatedAt: now, refundStatus: 'pending' });
    await tx.insertNotification(notificationOf(company.id, now, { kind: 'topup_cancelled', receipt: row.receiptNumber ?? row.id, reason }));
    await recordAudit(tx, { companyId: company.id, actor, action: 'topup.cancelled', target: row.id, details: { reason, amountMinor: row.amountMinor }, at: now });
    return { row: { ...row, status: 'cancelled' as const, cancelledAt: now, updatedAt: now }, balanceAfter };
  });
  deps.onWalletChange(outcome.row.companyId);
  await refund(deps, outcome.row);
  return { topUp: topUpView(outcome.row), balanceMinor: outcome.balanceAfter };
}

/** Refunds a cancelled top-up's card charge (idempotent at the processor by `<id>:refund`). */
async function refund(deps: Pick<TopUpDeps, 'repository' | 'provider' | 'now'>, row: TopUpRow): Promise<void> {
  if (!row.providerReference) return;
  await deps.provider.refund({ idempotencyKey: `${row.id}:refund`, chargeReference: row.providerReference, amountMinor: row.amountMinor, currency: row.currency });
  await deps.repository.transaction((tx) => tx.updateTopUp(row.id, { refundStatus: 'refunded', updatedAt: deps.now() }));
}

/**
 * Crash recovery: pending top-ups older than `minAgeMs` are charged again with the same idempotency key
 * (the provider replays its first answer). Answers how many.
 */
export async function recoverPendingTopUps(deps: TopUpDeps, minAgeMs: number): Promise<number> {
  const store = deps.repository.store;
  const topUps = await store.listPendingTopUps(deps.now() - minAgeMs);
  for (const row of topUps) {
    const card = await store.getCard(row.companyId);
    await chargeTopUp(deps, row, card?.providerToken ?? null);
  }
  return topUps.length;
}

/** Crash recovery: refunds of cancelled top-ups that did not finish are tried again. Answers how many. */
export async function recoverPendingRefunds(deps: TopUpDeps): Promise<number> {
  const refunds = await deps.repository.store.listPendingRefunds();
  for (const row of refunds) await refund(deps, row);
  return refunds.length;
}
