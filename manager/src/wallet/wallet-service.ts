import type { AuthorizeCallRequest, AuthorizeCallResponse, CompleteCallResponse, ExtendCallResponse, ReleaseCallResponse } from '../../../shared/api/call-schemas';
import { refusalReasonSchema } from '../../../shared/api/call-schemas';
import type { DeclineCode, TopUpResponse, TopUpView, WalletView } from '../../../shared/api/wallet-schemas';
import type { FundingFacts } from '../../../shared/billing/call-policy';
import { alwaysAllowed, fundCall, fundsLeft, refusalBeforeFunds, walletPaid } from '../../../shared/billing/call-policy';
import type { CallingPlan } from '../../../shared/numbering/calling-plan';
import { classifyNumber } from '../../../shared/numbering/classify';
import type { CurrencyCode } from '../../../shared/money/currency';
import { addMinor, subMinor } from '../../../shared/money/money';
import { findRate } from '../../../shared/rating/rate-index';
import type { Tariff } from '../../../shared/rating/tariff';
import { billedSeconds, callCostMinor } from '../../../shared/rating/tariff';
import { callBarringOf } from '../company/company-settings';
import { ApiError } from '../http/api-error';
import { newId, sha256Hex } from '../ids';
import type { PaymentProvider } from '../payments/payment-provider';
import type { RateCatalog } from '../rating/rate-catalog';
import type { CompanyRow, LedgerKind, RefillRow, Repository, ReservationRow, Store, TopUpRow } from '../store/repository';

/** Ledger accounts besides each company's wallet ("wallet:<companyId>"). */
export const ledgerAccounts = {
  /** Money received from card processors: goes negative as wallets are funded. */
  cardFunding: 'external:card-funding',
  /** What calls earned. */
  callRevenue: 'revenue:calls',
} as const;

/** The wallet's ledger account for a company. */
export function walletAccount(companyId: string): string {
  return `wallet:${companyId}`;
}

export interface WalletServiceOptions {
  readonly repository: Repository;
  readonly provider: PaymentProvider;
  readonly rates: RateCatalog;
  readonly plan: CallingPlan;
  readonly topUpAmountsMinor: readonly number[];
  readonly defaultSipDomain: string;
  readonly maxCallSeconds: number;
  readonly ringAllowanceSeconds: number;
  readonly maxRefillsPerDay: number;
  readonly refillDeclinesBeforeDisable: number;
  readonly lowBalanceMinor: number;
  readonly now: () => number;
  /** Called after a commit that changed a wallet, for live events in this process. */
  readonly onWalletChange: (companyId: string) => void;
  readonly log: { warn(object: object, message: string): void; error(object: object, message: string): void; info(object: object, message: string): void };
}

const dayMs = 24 * 3600 * 1000;

function startOfUtcDay(now: number): number {
  return now - (now % dayMs);
}

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

interface AppendArgs {
  readonly company: CompanyRow;
  readonly kind: LedgerKind;
  readonly reference: string;
  readonly walletDeltaMinor: number;
  readonly counterAccount: string;
  readonly ratePrefix?: string | null;
  readonly deckVersion?: string | null;
  readonly details?: object | null;
}

/**
 * Everything that moves money: top-ups, automatic refills, call authorisation and charging, reversals.
 * Every method that writes runs in one repository transaction that starts by locking the company row, so
 * the balance it reads is the balance it writes (docs/money-flow.md).
 */
export class WalletService {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: WalletServiceOptions) {}

  private get repo(): Repository {
    return this.options.repository;
  }

  /** Waits for background work (refill charges) started so far; used by shutdown and tests. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private background(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.options.log.error({ err: error }, 'background wallet work failed'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** Appends a balanced two-leg transaction and moves the cached balance with it. */
  private async append(tx: Store, args: AppendArgs): Promise<{ seq: number; balanceAfter: number }> {
    const balanceAfter = addMinor(args.company.balanceMinor, args.walletDeltaMinor);
    if (balanceAfter < 0) throw new ApiError(409, 'conflict', 'The wallet cannot go below zero');
    const seq = await tx.appendLedger({
      id: newId('txn'),
      companyId: args.company.id,
      kind: args.kind,
      reference: args.reference,
      currency: args.company.currency,
      walletDeltaMinor: args.walletDeltaMinor,
      balanceAfterMinor: balanceAfter,
      ratePrefix: args.ratePrefix ?? null,
      deckVersion: args.deckVersion ?? null,
      details: args.details ? JSON.stringify(args.details) : null,
      createdAt: this.options.now(),
      legs: [
        { account: walletAccount(args.company.id), amountMinor: args.walletDeltaMinor },
        { account: args.counterAccount, amountMinor: subMinor(0, args.walletDeltaMinor) },
      ],
    });
    await tx.setCompanyBalance(args.company.id, balanceAfter, seq);
    await tx.notifyWalletChange(args.company.id);
    return { seq, balanceAfter };
  }

  private async lock(tx: Store, companyId: string): Promise<CompanyRow> {
    const company = await tx.lockCompany(companyId);
    if (!company) throw new ApiError(404, 'not_found', 'No such company');
    return company;
  }

  // ---------------------------------------------------------------- wallet view

  /** Balance, reservations, auto-refill and the low-balance flag. */
  async walletView(companyId: string): Promise<WalletView> {
    const store = this.repo.store;
    const company = await store.getCompany(companyId);
    if (!company) throw new ApiError(404, 'not_found', 'No such company');
    const now = this.options.now();
    const reserved = await store.sumActiveReservations(companyId, now);
    const spentToday = await store.sumCallChargesSince(companyId, startOfUtcDay(now));
    const lowLevel = company.autoRefillEnabled ? company.autoRefillThresholdMinor : this.options.lowBalanceMinor;
    return {
      companyId,
      balanceMinor: company.balanceMinor,
      reservedMinor: reserved,
      availableMinor: Math.max(0, company.balanceMinor - reserved),
      currency: company.currency,
      lowBalance: company.balanceMinor < lowLevel,
      autoRefill: {
        enabled: company.autoRefillEnabled,
        thresholdMinor: company.autoRefillThresholdMinor,
        amountMinor: company.autoRefillAmountMinor,
        consecutiveDeclines: company.autoRefillDeclines,
        disabledReason: company.autoRefillDisabledReason,
      },
      dailyCapMinor: company.dailyCapMinor,
      spentTodayMinor: spentToday,
    };
  }

  // ---------------------------------------------------------------- top-ups

  /**
   * Adds funds from the card on file. Idempotent by `idempotencyKey` (per company): the first request's
   * answer is stored and replayed; the same key with another body is refused (422); a duplicate arriving
   * while the first is still charging gets 409 and may retry.
   */
  async topUp(args: { companyId: string; userId: string; amountMinor: number; currency: CurrencyCode; idempotencyKey: string }): Promise<{ status: number; body: TopUpResponse }> {
    const requestHash = sha256Hex(JSON.stringify({ amountMinor: args.amountMinor, currency: args.currency }));
    const started = await this.repo.transaction(async (tx) => {
      const company = await this.lock(tx, args.companyId);
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
      if (!this.options.topUpAmountsMinor.includes(args.amountMinor)) {
        throw new ApiError(422, 'amount_not_allowed', `Amount must be one of ${this.options.topUpAmountsMinor.join(', ')} (minor units)`);
      }
      const card = await tx.getCard(args.companyId);
      const now = this.options.now();
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
    return this.chargeTopUp(started.row, started.cardToken);
  }

  /** Charges a pending top-up and records the outcome; also used by crash recovery. */
  private async chargeTopUp(row: TopUpRow, cardToken: string | null): Promise<{ status: number; body: TopUpResponse }> {
    const result = cardToken
      ? await this.options.provider.charge({ idempotencyKey: row.id, cardToken, amountMinor: row.amountMinor, currency: row.currency, description: `Cabine prepaid top-up ${row.id}` })
      : ({ status: 'declined', code: 'no_card_on_file' } as const);
    const outcome = await this.repo.transaction(async (tx) => {
      const company = await this.lock(tx, row.companyId);
      const current = await tx.getTopUp(row.id);
      if (!current) throw new ApiError(404, 'not_found', 'Top-up vanished');
      if (current.status !== 'pending' && current.responseBody !== null && current.responseStatus !== null) {
        // Someone (recovery in another instance) finished it first: their answer stands.
        return { status: current.responseStatus, body: JSON.parse(current.responseBody) as TopUpResponse, changed: false };
      }
      const now = this.options.now();
      if (result.status === 'approved') {
        const { seq, balanceAfter } = await this.append(tx, {
          company, kind: 'topup', reference: row.id, walletDeltaMinor: row.amountMinor, counterAccount: ledgerAccounts.cardFunding,
          details: { providerReference: result.reference },
        });
        const receiptNumber = `R-${String(seq).padStart(8, '0')}`;
        const updated: TopUpRow = { ...current, status: 'succeeded', providerReference: result.reference, txnSeq: seq, receiptNumber, updatedAt: now };
        const body: TopUpResponse = { topUp: topUpView(updated), balanceMinor: balanceAfter };
        await tx.updateTopUp(row.id, { status: 'succeeded', providerReference: result.reference, txnSeq: seq, receiptNumber, updatedAt: now, responseStatus: 201, responseBody: JSON.stringify(body) });
        return { status: 201, body, changed: true };
      }
      const updated: TopUpRow = { ...current, status: 'declined', declineCode: result.code, updatedAt: now };
      const body: TopUpResponse = { topUp: topUpView(updated), balanceMinor: company.balanceMinor };
      await tx.updateTopUp(row.id, { status: 'declined', declineCode: result.code, updatedAt: now, responseStatus: 402, responseBody: JSON.stringify(body) });
      return { status: 402, body, changed: false };
    });
    if (outcome.changed) this.options.onWalletChange(row.companyId);
    return { status: outcome.status, body: outcome.body };
  }

  /** One top-up of a company (receipt); 404 for another company's id. */
  async getTopUp(companyId: string | null, id: string): Promise<TopUpView> {
    const row = await this.repo.store.getTopUp(id);
    if (!row || (companyId !== null && row.companyId !== companyId)) throw new ApiError(404, 'not_found', 'No such top-up');
    return topUpView(row);
  }

  /**
   * Customer care cancels a top-up: a reversing transaction takes the amount back out of the wallet (never
   * an edit), then the card is refunded. Refused when the wallet no longer holds the amount.
   */
  async cancelTopUp(id: string, reason: string): Promise<TopUpResponse> {
    const outcome = await this.repo.transaction(async (tx) => {
      const found = await tx.getTopUp(id);
      if (!found) throw new ApiError(404, 'not_found', 'No such top-up');
      const company = await this.lock(tx, found.companyId);
      const row = await tx.getTopUp(id);
      if (!row) throw new ApiError(404, 'not_found', 'No such top-up');
      if (row.status === 'cancelled') throw new ApiError(409, 'conflict', 'This top-up is already cancelled');
      if (row.status !== 'succeeded') throw new ApiError(409, 'conflict', `Only a succeeded top-up can be cancelled (this one is ${row.status})`);
      const reserved = await tx.sumActiveReservations(company.id, this.options.now());
      if (company.balanceMinor - reserved < row.amountMinor) {
        throw new ApiError(409, 'conflict', 'The wallet no longer holds this amount (some was spent or is reserved for calls in progress)');
      }
      const { seq, balanceAfter } = await this.append(tx, {
        company, kind: 'reversal', reference: row.id, walletDeltaMinor: -row.amountMinor, counterAccount: ledgerAccounts.cardFunding,
        details: { reason },
      });
      const now = this.options.now();
      await tx.updateTopUp(id, { status: 'cancelled', cancelTxnSeq: seq, cancelReason: reason, cancelledAt: now, updatedAt: now, refundStatus: 'pending' });
      await tx.insertNotification({ id: newId('ntf'), companyId: company.id, kind: 'topup_cancelled', message: `Top-up ${row.receiptNumber ?? row.id} was cancelled by customer care: ${reason}`, createdAt: now });
      return { row: { ...row, status: 'cancelled' as const, cancelledAt: now, updatedAt: now }, balanceAfter };
    });
    this.options.onWalletChange(outcome.row.companyId);
    await this.refund(outcome.row);
    return { topUp: topUpView(outcome.row), balanceMinor: outcome.balanceAfter };
  }

  private async refund(row: TopUpRow): Promise<void> {
    if (!row.providerReference) return;
    await this.options.provider.refund({ idempotencyKey: `${row.id}:refund`, chargeReference: row.providerReference, amountMinor: row.amountMinor, currency: row.currency });
    await this.repo.transaction((tx) => tx.updateTopUp(row.id, { refundStatus: 'refunded', updatedAt: this.options.now() }));
  }

  // ---------------------------------------------------------------- automatic refill

  /** Admins change automatic refill; re-enabling clears the decline count. */
  async setAutoRefill(companyId: string, settings: { enabled: boolean; thresholdMinor: number; amountMinor: number }): Promise<WalletView> {
    if (!this.options.topUpAmountsMinor.includes(settings.amountMinor)) {
      throw new ApiError(422, 'amount_not_allowed', `Refill amount must be one of ${this.options.topUpAmountsMinor.join(', ')} (minor units)`);
    }
    if (settings.thresholdMinor > 1_000_000_00) throw new ApiError(422, 'validation_failed', 'Threshold is too high');
    await this.repo.transaction(async (tx) => {
      const company = await this.lock(tx, companyId);
      const reenabled = settings.enabled && !company.autoRefillEnabled;
      await tx.setAutoRefill(companyId, {
        ...settings,
        declines: reenabled ? 0 : company.autoRefillDeclines,
        disabledReason: settings.enabled ? null : company.autoRefillDisabledReason,
      });
      await tx.notifyWalletChange(companyId);
    });
    this.options.onWalletChange(companyId);
    return this.walletView(companyId);
  }

  /**
   * Called inside a debit's transaction, after the balance moved from `before` to `after`: records one
   * pending refill if this debit crossed the threshold downwards. The refill row is unique per triggering
   * transaction, and crossings are detected under the company lock, so concurrent debits and retries can
   * only ever produce one refill per crossing.
   */
  private async refillOnCrossing(tx: Store, company: CompanyRow, before: number, after: number, triggerSeq: number): Promise<RefillRow | null> {
    if (!company.autoRefillEnabled) return null;
    const threshold = company.autoRefillThresholdMinor;
    if (!(before >= threshold && after < threshold)) return null;
    const now = this.options.now();
    const recent = await tx.countRefillsSince(company.id, now - dayMs);
    const limited = recent >= this.options.maxRefillsPerDay;
    const refill: RefillRow = {
      id: newId('rfl'), companyId: company.id, triggerTxnSeq: triggerSeq, amountMinor: company.autoRefillAmountMinor, currency: company.currency,
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
  async processRefill(refillId: string): Promise<void> {
    const refill = await this.repo.store.getRefill(refillId);
    if (!refill || refill.status !== 'pending') return;
    const card = await this.repo.store.getCard(refill.companyId);
    const result = card
      ? await this.options.provider.charge({ idempotencyKey: refill.id, cardToken: card.providerToken, amountMinor: refill.amountMinor, currency: refill.currency, description: `Cabine automatic refill ${refill.id}` })
      : ({ status: 'declined', code: 'no_card_on_file' } as const);
    const changed = await this.repo.transaction(async (tx) => {
      const company = await this.lock(tx, refill.companyId);
      const current = await tx.getRefill(refill.id);
      if (!current || current.status !== 'pending') return false;
      const now = this.options.now();
      if (result.status === 'approved') {
        const { seq } = await this.append(tx, {
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
      const disable = declines >= this.options.refillDeclinesBeforeDisable;
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
    if (changed) this.options.onWalletChange(refill.companyId);
  }

  /**
   * Finishes work a crash interrupted: pending top-ups older than `minAgeMs` are charged again with the
   * same idempotency key (the provider replays its first answer), pending refills are processed, pending
   * refunds are retried. Safe to run on every instance at any time.
   */
  async recoverPending(minAgeMs: number): Promise<{ topUps: number; refills: number; refunds: number }> {
    const store = this.repo.store;
    const topUps = await store.listPendingTopUps(this.options.now() - minAgeMs);
    for (const row of topUps) {
      const card = await store.getCard(row.companyId);
      await this.chargeTopUp(row, card?.providerToken ?? null);
    }
    const refills = await store.listPendingRefills();
    for (const refill of refills) await this.processRefill(refill.id);
    const refunds = await store.listPendingRefunds();
    for (const row of refunds) await this.refund(row);
    return { topUps: topUps.length, refills: refills.length, refunds: refunds.length };
  }

  // ---------------------------------------------------------------- calls

  private refused(callId: string, reason: AuthorizeCallResponse['reason'], kind: AuthorizeCallResponse['kind'], e164: string, company: CompanyRow | null): AuthorizeCallResponse {
    return {
      allowed: false, reason, callId, kind, charged: false, e164, maxDurationSeconds: 0, reservedMinor: 0,
      currency: company?.currency ?? 'EUR', balanceMinor: company?.balanceMinor ?? 0, prefix: '', deckVersion: '',
    };
  }

  /**
   * Runs `work` on a call's reservation inside a transaction that holds its company's lock, the row read
   * again under the lock (a concurrent complete, release or extend may have changed it). 404 for an id the
   * proxy never authorized.
   */
  private async withLockedReservation<T>(callId: string, work: (tx: Store, company: CompanyRow, row: ReservationRow) => Promise<T>): Promise<T> {
    const found = await this.repo.store.getReservation(callId);
    if (!found) throw new ApiError(404, 'not_found', 'No call with this id was authorized');
    return this.repo.transaction(async (tx) => {
      const company = await this.lock(tx, found.companyId);
      const row = await tx.getReservation(callId);
      if (!row) throw new ApiError(404, 'not_found', 'No call with this id was authorized');
      return work(tx, company, row);
    });
  }

  private reservationAnswer(row: ReservationRow, company: CompanyRow): AuthorizeCallResponse {
    return {
      allowed: true, reason: 'ok', callId: row.callId, kind: row.kind as AuthorizeCallResponse['kind'], charged: row.charged, e164: row.e164,
      maxDurationSeconds: row.maxSeconds, reservedMinor: row.reservedMinor, currency: company.currency, balanceMinor: company.balanceMinor,
      prefix: row.ratePrefix, deckVersion: row.deckVersion,
    };
  }

  /**
   * May this call go ahead, and for how long? The call policy decides (shared/billing/call-policy.ts, the
   * rules the quote applies too): emergency numbers are always allowed and never charged; refusals, in
   * order: unknown caller, invalid number, high-risk class the company has not allowed (`class_blocked`),
   * the user's barring (`barred`), no rate, then insufficient funds or daily cap. Paid
   * calls reserve the cost of the longest call the wallet (and the daily cap) can fund after every other
   * call in progress has reserved its own; the proxy hangs up at `maxDurationSeconds`. Idempotent by call id.
   */
  async authorizeCall(request: AuthorizeCallRequest): Promise<AuthorizeCallResponse> {
    const store = this.repo.store;
    let company: CompanyRow | null = null;
    try {
      company = await store.getCompanyByDomain(request.sipDomain ?? this.options.defaultSipDomain);
    } catch (error) {
      // Keep going: an emergency call must not depend on the database answering.
      this.options.log.error({ err: error }, 'company lookup failed during authorize');
    }
    // Classified once for the whole request: the policy, the reservation and the answer read this one.
    const local = classifyNumber({ dialed: request.dialed, callerCountry: company?.country ?? 'FR', plan: this.options.plan });
    if (alwaysAllowed(local)) {
      // Always allowed, never charged, nothing written: answered before any database write.
      return {
        allowed: true, reason: 'ok', callId: request.callId, kind: 'emergency', charged: false, e164: '', maxDurationSeconds: this.options.maxCallSeconds,
        reservedMinor: 0, currency: company?.currency ?? 'EUR', balanceMinor: company?.balanceMinor ?? 0, prefix: '', deckVersion: '',
      };
    }
    const user = company ? await store.getUserByExtension(company.id, request.callerExtension) : null;
    const e164 = local.e164 ?? '';
    const index = this.options.rates.index;
    const rate = walletPaid(local) && local.ratingKey ? findRate(index, local.ratingKey) : null;
    // Every rule before money (shared/billing/call-policy.ts), the quote's too; nothing written for these.
    const refusal = refusalBeforeFunds({
      classification: local, caller: user ? { barring: await callBarringOf(store, user) } : null, highRiskAllowed: company?.highRiskAllowed ?? false, rate,
    });
    if (refusal !== null || !company || !user) {
      const reason = refusal ?? 'unknown_caller';
      return this.refused(request.callId, reason, local.kind, reason === 'unknown_caller' ? '' : e164, company);
    }

    return this.repo.transaction(async (tx) => {
      const now = this.options.now();
      // The call id's key row first, then the company: the order releaseCall takes too (no deadlock), and
      // the key serialises an authorize with a release of the same id that races it.
      const first = await tx.claimCallAttempt(request.callId, now);
      const locked = await this.lock(tx, company.id);
      const existing = await tx.getReservation(request.callId);
      if (existing) {
        if (existing.companyId !== company.id || existing.userId !== user.id) throw new ApiError(409, 'conflict', 'This call id belongs to another call');
        // A repeat after the call ended must not be let through again: it would be a call nobody pays for.
        if (existing.status !== 'active') return this.refused(request.callId, 'released', local.kind, e164, locked);
        return this.reservationAnswer(existing, locked);
      }
      if (!first) {
        const attempt = await tx.getCallAttempt(request.callId);
        // Released before any authorize committed (a tombstone): the proxy gave up on this attempt.
        if (attempt?.releasedAt != null) return this.refused(request.callId, 'released', local.kind, e164, locked);
        const replayed = refusalReasonSchema.safeParse(attempt?.refusal);
        if (replayed.success) return this.refused(request.callId, replayed.data, local.kind, e164, locked);
      }
      let maxSeconds = this.options.maxCallSeconds;
      let reservedMinor = 0;
      if (rate) {
        const reserved = await tx.sumActiveReservations(company.id, now);
        const funded = fundCall(rate, await this.funding(tx, locked, reserved, now));
        if (funded.refusal) {
          await tx.setCallRefusal(request.callId, funded.refusal);
          return this.refused(request.callId, funded.refusal, local.kind, e164, locked);
        }
        maxSeconds = funded.maxDurationSeconds;
        reservedMinor = funded.reservedMinor;
      }
      const row: ReservationRow = {
        callId: request.callId, companyId: company.id, userId: user.id, dialed: request.dialed, e164, kind: local.kind, charged: rate !== null,
        ratePrefix: rate?.prefix ?? '', destination: rate?.destination ?? '', deckVersion: rate ? index.deck.version : '',
        pricePerMinute: rate?.pricePerMinute ?? 0, connectionFee: rate?.connectionFee ?? 0, incrementFirst: rate?.increment.first ?? 1,
        incrementNext: rate?.increment.next ?? 1, maxSeconds, reservedMinor, status: 'active', answeredSeconds: null, billedSeconds: null,
        chargedMinor: null, txnSeq: null, createdAt: now,
        expiresAt: this.reservationExpiry(now, maxSeconds), updatedAt: now,
      };
      await tx.insertReservation(row);
      return this.reservationAnswer(row, locked);
    });
  }

  /**
   * What the wallet and the daily cap leave for one call once `otherReservedMinor` (every other call in
   * progress) is set aside, for the policy's `fundCall`. Call under the company lock.
   */
  private async funding(tx: Store, company: CompanyRow, otherReservedMinor: number, now: number): Promise<FundingFacts> {
    // Today's charges only matter under a cap: no query without one.
    const spentTodayMinor = company.dailyCapMinor === null ? 0 : await tx.sumCallChargesSince(company.id, startOfUtcDay(now));
    return {
      ...fundsLeft({ balanceMinor: company.balanceMinor, otherReservedMinor, dailyCapMinor: company.dailyCapMinor, spentTodayMinor }),
      currency: company.currency, maxCallSeconds: this.options.maxCallSeconds,
    };
  }

  /** A reservation outlives the longest possible call (ringing + max duration); afterwards it no longer holds funds. */
  private reservationExpiry(createdAt: number, maxSeconds: number): number {
    return createdAt + (this.options.ringAllowanceSeconds + maxSeconds + 60) * 1000;
  }

  /**
   * Interim re-authorization of a call in progress (like a Diameter Credit-Control CCR-Update, RFC 4006
   * 5.1): after a top-up or an automatic refill, the call may run longer. Recomputes the longest call the
   * wallet (balance minus every OTHER call's reservation) and the daily cap fund now, capped at the service
   * maximum; if that is longer than the call's current maximum, the reservation grows to it (maxSeconds,
   * reservedMinor, expiresAt) in one transaction under the company lock, as authorize reserves. Never
   * shortens a call. Idempotent: asking again without new money answers the same maximum with
   * `extended: false`. A call that already ended (completed or released) or whose reservation expired is
   * refused with 409; an unknown call id with 404.
   */
  async extendCall(callId: string): Promise<ExtendCallResponse> {
    return this.withLockedReservation(callId, async (tx, company, row) => {
      if (row.status !== 'active') throw new ApiError(409, 'conflict', `This call has already ended (${row.status}); it cannot be extended`);
      const now = this.options.now();
      if (row.expiresAt <= now) throw new ApiError(409, 'conflict', 'This call\'s reservation has expired; it cannot be extended');
      const unchanged: ExtendCallResponse = { callId, maxDurationSeconds: row.maxSeconds, extended: false };
      // Free calls (included, toll-free) already run to the service maximum and hold nothing.
      if (!row.charged) return unchanged;
      const tariff: Tariff = { pricePerMinute: row.pricePerMinute, connectionFee: row.connectionFee, increment: { first: row.incrementFirst, next: row.incrementNext } };
      // This call's own reservation is active and unexpired (checked above), so it is part of the sum.
      const others = (await tx.sumActiveReservations(company.id, now)) - row.reservedMinor;
      // The policy's arithmetic, as authorize reserves; a refusal funds 0 s, which never extends.
      const { maxDurationSeconds: maxSeconds, reservedMinor } = fundCall(tariff, await this.funding(tx, company, others, now));
      if (maxSeconds <= row.maxSeconds) return unchanged;
      // Counted from the reservation's creation, as authorize counts it; never earlier than before.
      const expiresAt = Math.max(row.expiresAt, this.reservationExpiry(row.createdAt, maxSeconds));
      await tx.updateReservation(callId, { maxSeconds, reservedMinor, expiresAt, updatedAt: now });
      this.options.log.info({ callId, from: row.maxSeconds, to: maxSeconds }, 'call extended');
      return { callId, maxDurationSeconds: maxSeconds, extended: true };
    });
  }

  private completion(row: ReservationRow, company: CompanyRow): CompleteCallResponse {
    return {
      callId: row.callId, status: row.status === 'released' ? 'released' : 'completed', chargedMinor: row.chargedMinor ?? 0,
      billedSeconds: row.billedSeconds ?? 0, currency: company.currency, balanceMinor: company.balanceMinor,
    };
  }

  /**
   * The call ended after `answeredSeconds`: charge it exactly once (a repeated complete replays the first
   * result). The charge is for at most the reserved duration, and never more than the wallet holds.
   */
  async completeCall(callId: string, answeredSeconds: number): Promise<CompleteCallResponse> {
    const outcome = await this.withLockedReservation(callId, async (tx, company, row) => {
      if (row.status !== 'active') return { response: this.completion(row, company), refill: null, changed: false, companyId: company.id };
      const now = this.options.now();
      const seconds = Math.min(answeredSeconds, row.maxSeconds);
      const tariff: Tariff = { pricePerMinute: row.pricePerMinute, connectionFee: row.connectionFee, increment: { first: row.incrementFirst, next: row.incrementNext } };
      const billed = row.charged ? billedSeconds(seconds, tariff.increment) : 0;
      // Capped at the balance: only reachable if the reservation expired and other calls spent the funds.
      const cost = row.charged ? Math.min(callCostMinor(tariff, seconds, company.currency), company.balanceMinor) : 0;
      let txnSeq: number | null = null;
      let refill: RefillRow | null = null;
      let balance = company.balanceMinor;
      if (cost > 0) {
        const user = await tx.getUser(row.userId);
        const appended = await this.append(tx, {
          company, kind: 'call_charge', reference: row.callId, walletDeltaMinor: -cost, counterAccount: ledgerAccounts.callRevenue,
          ratePrefix: row.ratePrefix, deckVersion: row.deckVersion,
          details: { number: row.e164, answeredSeconds, billedSeconds: billed, destination: row.destination, extension: user?.extension ?? '' },
        });
        txnSeq = appended.seq;
        balance = appended.balanceAfter;
        refill = await this.refillOnCrossing(tx, company, company.balanceMinor, balance, appended.seq);
      }
      const updated: ReservationRow = { ...row, status: 'completed', answeredSeconds, billedSeconds: billed, chargedMinor: cost, txnSeq, updatedAt: now };
      await tx.updateReservation(callId, { status: 'completed', answeredSeconds, billedSeconds: billed, chargedMinor: cost, txnSeq, updatedAt: now });
      return { response: this.completion(updated, { ...company, balanceMinor: balance }), refill, changed: cost > 0, companyId: company.id };
    });
    if (outcome.changed) this.options.onWalletChange(outcome.companyId);
    if (outcome.refill) this.background(this.processRefill(outcome.refill.id));
    return outcome.response;
  }

  /**
   * The attempt failed in some way (never answered, cancelled, the authorize timed out or failed at the
   * proxy): free its reservation. Idempotent; a completed call stays completed. For a call id with no
   * reservation (yet) it records a tombstone, so an authorize that arrives or commits later is refused with
   * `released` and reserves nothing: the proxy may send this before its own authorize reached us.
   */
  async releaseCall(callId: string): Promise<ReleaseCallResponse> {
    return this.repo.transaction(async (tx) => {
      const now = this.options.now();
      // The key row first (it waits for an authorize of this id still in flight), then the company lock.
      await tx.markCallReleased(callId, now);
      const found = await tx.getReservation(callId);
      if (!found) return { callId, status: 'released', chargedMinor: 0, billedSeconds: 0, currency: null, balanceMinor: null, tombstone: true };
      const company = await this.lock(tx, found.companyId);
      const row = (await tx.getReservation(callId)) ?? found;
      if (row.status !== 'active') return { ...this.completion(row, company), tombstone: false };
      await tx.updateReservation(callId, { status: 'released', chargedMinor: 0, billedSeconds: 0, answeredSeconds: 0, updatedAt: now });
      return { ...this.completion({ ...row, status: 'released', chargedMinor: 0, billedSeconds: 0 }, company), tombstone: false };
    });
  }
}
