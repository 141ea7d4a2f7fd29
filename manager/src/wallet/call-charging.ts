import type { AuthorizeCallRequest, AuthorizeCallResponse, CompleteCallResponse, ExtendCallResponse, ReleaseCallResponse } from '../../../shared/api/call-schemas';
import { refusalReasonSchema } from '../../../shared/api/call-schemas';
import type { FundingFacts } from '../../../shared/billing/call-policy';
import { alwaysAllowed, fundCall, fundsLeft, refusalBeforeFunds, walletPaid } from '../../../shared/billing/call-policy';
import { classifyNumber } from '../../../shared/numbering/classify';
import { findRate } from '../../../shared/rating/rate-index';
import type { Tariff } from '../../../shared/rating/tariff';
import { billedSeconds, callCostMinor } from '../../../shared/rating/tariff';
import { budgetLeft, startOfUtcMonth } from '../../../shared/billing/monthly-budget';
import { callBarringOf } from '../company/company-settings';
import { ApiError } from '../http/api-error';
import type { CallerFacts, MoneyStatements } from '../store/money-statements';
import type { CompanyRow, FundingSnapshot, RefillRow, ReservationRow, Store, UserRow } from '../store/repository';
import { refillIfDue } from './auto-refill';
import { newId } from '../ids';
import { appendTransaction, ledgerAccounts, lockCompany, startOfUtcDay, walletAccount } from './ledger';
import type { WalletServiceOptions } from './wallet-options';

/**
 * What call charging touches. `onRefillDue`: a reservation, an extension or a charge left the funds
 * available below the automatic-refill level and the refill row is committed; charge the card (in the
 * background: the proxy's authorize, extend and complete must not wait for it).
 */
export type CallChargingDeps = Pick<
  WalletServiceOptions,
  'repository' | 'rates' | 'plan' | 'defaultSipDomain' | 'maxCallSeconds' | 'ringAllowanceSeconds' | 'maxRefillsPerDay' | 'refillRetryDelaysMs' | 'now' | 'onWalletChange' | 'log'
> & { readonly onRefillDue: (refillId: string) => void };

function refused(callId: string, reason: AuthorizeCallResponse['reason'], kind: AuthorizeCallResponse['kind'], e164: string, company: CompanyRow | null): AuthorizeCallResponse {
  return {
    allowed: false, reason, callId, kind, charged: false, e164, maxDurationSeconds: 0, reservedMinor: 0,
    currency: company?.currency ?? 'EUR', balanceMinor: company?.balanceMinor ?? 0, prefix: '', deckVersion: '',
  };
}

function reservationAnswer(row: ReservationRow, company: CompanyRow): AuthorizeCallResponse {
  return {
    allowed: true, reason: 'ok', callId: row.callId, kind: row.kind as AuthorizeCallResponse['kind'], charged: row.charged, e164: row.e164,
    maxDurationSeconds: row.maxSeconds, reservedMinor: row.reservedMinor, currency: company.currency, balanceMinor: company.balanceMinor,
    prefix: row.ratePrefix, deckVersion: row.deckVersion,
  };
}

/** The tariff a reservation was authorized with (kept on the row: a new deck never reprices a call). */
function tariffOf(row: ReservationRow): Tariff {
  return { pricePerMinute: row.pricePerMinute, connectionFee: row.connectionFee, increment: { first: row.incrementFirst, next: row.incrementNext } };
}

/** A reservation outlives the longest possible call (ringing + max duration); afterwards it no longer holds funds. */
function reservationExpiry(deps: Pick<CallChargingDeps, 'ringAllowanceSeconds'>, createdAt: number, maxSeconds: number): number {
  return createdAt + (deps.ringAllowanceSeconds + maxSeconds + 60) * 1000;
}

/**
 * What the wallet, the daily cap and the caller's monthly budget leave for one call once
 * `otherReservedMinor` (every other call in progress) is set aside, for the policy's `fundCall`. `caller`:
 * whose budget, and how much of their reservations is this call's own (0 for a new call). Call under the
 * company lock.
 */
async function funding(
  deps: Pick<CallChargingDeps, 'maxCallSeconds'>, tx: Store, company: CompanyRow, now: number,
  caller: { readonly userId: string; readonly ownReservedMinor: number },
): Promise<FundingFacts> {
  // One round trip under the lock: the company's reservations, today's charges (only under a cap), the
  // caller's budget and, only with one, their month's charges and reservations.
  const snapshot = await tx.fundingSnapshot({
    companyId: company.id, userId: caller.userId, now, dayStart: company.dailyCapMinor === null ? null : startOfUtcDay(now), monthStart: startOfUtcMonth(now),
  });
  return fundingFrom(deps, company, snapshot, caller.ownReservedMinor);
}

/** The policy's funding facts from a snapshot of the company's and the caller's sums. */
function fundingFrom(deps: Pick<CallChargingDeps, 'maxCallSeconds'>, company: CompanyRow, snapshot: FundingSnapshot, ownReservedMinor: number): FundingFacts {
  // The call being funded holds `ownReservedMinor` of both sums (0 for a new call): it is not "another call".
  const otherReservedMinor = Math.max(0, snapshot.reservedMinor - ownReservedMinor);
  return {
    ...fundsLeft({ balanceMinor: company.balanceMinor, otherReservedMinor, dailyCapMinor: company.dailyCapMinor, spentTodayMinor: snapshot.spentTodayMinor }),
    budgetLeftMinor: budgetLeft({
      budgetMinor: snapshot.userBudgetMinor, spentThisMonthMinor: snapshot.userSpentThisMonthMinor,
      userOtherReservedMinor: Math.max(0, snapshot.userReservedMinor - ownReservedMinor),
    }),
    currency: company.currency, maxCallSeconds: deps.maxCallSeconds,
  };
}

/**
 * Runs `work` on a call's reservation inside a transaction that holds its company's lock, the row read
 * again under the lock (a concurrent complete, release or extend may have changed it). 404 for an id the
 * proxy never authorized.
 */
async function withLockedReservation<T, P = undefined>(
  deps: Pick<CallChargingDeps, 'repository'>, callId: string,
  work: (tx: Store, company: CompanyRow, row: ReservationRow, before: NoInfer<P>) => Promise<T>,
  /** Reads that need not hold the lock (done first, outside the transaction: less time under the lock). */
  readBefore?: (found: ReservationRow) => Promise<P>,
): Promise<T> {
  const found = await deps.repository.store.getReservation(callId);
  if (!found) throw new ApiError(404, 'not_found', 'No call with this id was authorized');
  const before = (readBefore ? await readBefore(found) : undefined) as P;
  return deps.repository.transaction(async (tx) => {
    const company = await lockCompany(tx, found.companyId);
    const row = await tx.getReservation(callId);
    if (!row) throw new ApiError(404, 'not_found', 'No call with this id was authorized');
    return work(tx, company, row, before);
  });
}

/**
 * Authorize's one-round-trip write (PostgreSQL, `MoneyStatements`): the policy decides on the facts read
 * without the lock, and the statement reserves only if they still hold under it. Null when this path does
 * not apply and the locked transaction must run: a money refusal (recorded for repeats there), a company
 * with automatic refill on (the refill rule reads and writes under the lock), or facts that changed, a call
 * id already seen (a repeat, a release that came first).
 */
async function reserveInOneStatement(
  deps: CallChargingDeps, statements: MoneyStatements,
  call: {
    readonly company: CompanyRow; readonly user: UserRow; readonly snapshot: FundingSnapshot; readonly now: number; readonly rate: Tariff | null;
    readonly newRow: (now: number, maxSeconds: number, reservedMinor: number) => ReservationRow;
  },
): Promise<AuthorizeCallResponse | null> {
  const { company, rate, now } = call;
  if (rate && company.autoRefillEnabled) return null;
  let row = call.newRow(now, deps.maxCallSeconds, 0);
  if (rate) {
    const funded = fundCall(rate, fundingFrom(deps, company, call.snapshot, 0));
    if (funded.refusal) return null;
    row = call.newRow(now, funded.maxDurationSeconds, funded.reservedMinor);
  }
  const expected = rate ? { balanceMinor: company.balanceMinor, dailyCapMinor: company.dailyCapMinor, snapshot: call.snapshot, dayStart: startOfUtcDay(now), monthStart: startOfUtcMonth(now) } : null;
  // A paid call's funded time reaches the caller's app through the wallet event, as in the locked path.
  if (!(await statements.reserve(row, expected, rate !== null))) return null;
  if (rate) deps.onWalletChange(company.id);
  return reservationAnswer(row, company);
}

/**
 * May this call go ahead, and for how long? The call policy decides (shared/billing/call-policy.ts, the
 * rules the quote applies too): emergency numbers are always allowed and never charged; refusals, in
 * order: unknown caller, invalid number, high-risk class the company has not allowed (`class_blocked`),
 * the user's barring (`barred`), no rate, then insufficient funds, daily cap or the caller's monthly budget. Paid
 * calls reserve the cost of the longest call the wallet (and the daily cap) can fund after every other
 * call in progress has reserved its own; the proxy hangs up at `maxDurationSeconds`. Idempotent by call id.
 */
export async function authorizeCall(deps: CallChargingDeps, request: AuthorizeCallRequest): Promise<AuthorizeCallResponse> {
  const store = deps.repository.store;
  const statements = deps.repository.moneyStatements;
  const factsAt = deps.now();
  let company: CompanyRow | null = null;
  // PostgreSQL: the company, the caller, their barring row and the funding sums in one read (no lock).
  let facts: CallerFacts | null = null;
  try {
    const sipDomain = request.sipDomain ?? deps.defaultSipDomain;
    if (statements) {
      facts = await statements.callerFacts({ sipDomain, extension: request.callerExtension, now: factsAt, dayStart: startOfUtcDay(factsAt), monthStart: startOfUtcMonth(factsAt) });
      company = facts?.company ?? null;
    } else {
      company = await store.getCompanyByDomain(sipDomain);
    }
  } catch (error) {
    // Keep going: an emergency call must not depend on the database answering.
    deps.log.error({ err: error }, 'company lookup failed during authorize');
  }
  // Classified once for the whole request: the policy, the reservation and the answer read this one.
  const local = classifyNumber({ dialed: request.dialed, callerCountry: company?.country ?? 'FR', plan: deps.plan });
  if (alwaysAllowed(local)) {
    // Always allowed, never charged, nothing written: answered before any database write.
    return {
      allowed: true, reason: 'ok', callId: request.callId, kind: 'emergency', charged: false, e164: '', maxDurationSeconds: deps.maxCallSeconds,
      reservedMinor: 0, currency: company?.currency ?? 'EUR', balanceMinor: company?.balanceMinor ?? 0, prefix: '', deckVersion: '',
    };
  }
  const found = facts ? facts.user : company ? await store.getUserByExtension(company.id, request.callerExtension) : null;
  // A deactivated person is nobody's caller: the proxy refuses their credentials too, but the money rule
  // does not depend on it (a credential the proxy has not heard is revoked yet).
  const user = found && found.deactivatedAt == null ? found : null;
  const e164 = local.e164 ?? '';
  const index = deps.rates.index;
  const rate = walletPaid(local) && local.ratingKey ? findRate(index, local.ratingKey) : null;
  // Every rule before money (shared/billing/call-policy.ts), the quote's too; nothing written for these.
  const refusal = refusalBeforeFunds({
    classification: local, caller: user ? { barring: await callBarringOf(facts ? { getOutsideCalls: () => Promise.resolve(facts.outsideCalls) } : store, user) } : null,
    highRiskAllowed: company?.highRiskAllowed ?? false, rate,
  });
  if (refusal !== null || !company || !user) {
    const reason = refusal ?? 'unknown_caller';
    return refused(request.callId, reason, local.kind, reason === 'unknown_caller' ? '' : e164, company);
  }
  const newRow = (now: number, maxSeconds: number, reservedMinor: number): ReservationRow => ({
    callId: request.callId, companyId: company.id, userId: user.id, dialed: request.dialed, e164, kind: local.kind, charged: rate !== null,
    ratePrefix: rate?.prefix ?? '', destination: rate?.destination ?? '', deckVersion: rate ? index.deck.version : '',
    pricePerMinute: rate?.pricePerMinute ?? 0, connectionFee: rate?.connectionFee ?? 0, incrementFirst: rate?.increment.first ?? 1,
    incrementNext: rate?.increment.next ?? 1, maxSeconds, reservedMinor, status: 'active', answeredSeconds: null, billedSeconds: null,
    chargedMinor: null, txnSeq: null, createdAt: now,
    expiresAt: reservationExpiry(deps, now, maxSeconds), updatedAt: now,
  });
  if (statements && facts?.snapshot) {
    const answer = await reserveInOneStatement(deps, statements, { company, user, snapshot: facts.snapshot, now: factsAt, rate, newRow });
    if (answer) return answer;
  }

  const outcome = await deps.repository.transaction(async (tx): Promise<{ answer: AuthorizeCallResponse; refill: RefillRow | null }> => {
    const now = deps.now();
    // The call id's key row first, then the company: the order releaseCall takes too (no deadlock), and
    // the key serialises an authorize with a release of the same id that races it.
    const first = await tx.claimCallAttempt(request.callId, now);
    const locked = await lockCompany(tx, company.id);
    // A reservation is only ever written after its call id's key row, in the same transaction: a key row
    // this transaction just created means there is none, and no round trip is spent looking.
    const existing = first ? null : await tx.getReservation(request.callId);
    if (existing) {
      if (existing.companyId !== company.id || existing.userId !== user.id) throw new ApiError(409, 'conflict', 'This call id belongs to another call');
      // A repeat after the call ended must not be let through again: it would be a call nobody pays for.
      if (existing.status !== 'active') return { answer: refused(request.callId, 'released', local.kind, e164, locked), refill: null };
      return { answer: reservationAnswer(existing, locked), refill: null };
    }
    if (!first) {
      const attempt = await tx.getCallAttempt(request.callId);
      // Released before any authorize committed (a tombstone): the proxy gave up on this attempt.
      if (attempt?.releasedAt != null) return { answer: refused(request.callId, 'released', local.kind, e164, locked), refill: null };
      const replayed = refusalReasonSchema.safeParse(attempt?.refusal);
      if (replayed.success) return { answer: refused(request.callId, replayed.data, local.kind, e164, locked), refill: null };
    }
    let maxSeconds = deps.maxCallSeconds;
    let reservedMinor = 0;
    if (rate) {
      const funded = fundCall(rate, await funding(deps, tx, locked, now, { userId: user.id, ownReservedMinor: 0 }));
      if (funded.refusal) {
        await tx.setCallRefusal(request.callId, funded.refusal);
        return { answer: refused(request.callId, funded.refusal, local.kind, e164, locked), refill: null };
      }
      maxSeconds = funded.maxDurationSeconds;
      reservedMinor = funded.reservedMinor;
    }
    const row = newRow(now, maxSeconds, reservedMinor);
    await tx.insertReservation(row);
    // The funds this call holds are spoken for: if they take the available funds below the refill level,
    // the refill starts now, while the call is live, and the proxy's extend hands it the new money.
    const refill = rate ? await refillIfDue(deps, tx, locked, { cause: 'reservation', reference: request.callId }) : null;
    // The caller's app shows the call's funded time from the wallet event (issue 10, section 4).
    if (rate) await tx.notifyWalletChange(company.id);
    return { answer: reservationAnswer(row, locked), refill };
  });
  if (outcome.answer.allowed && outcome.answer.charged) deps.onWalletChange(company.id);
  if (outcome.refill) deps.onRefillDue(outcome.refill.id);
  return outcome.answer;
}

/**
 * Interim re-authorization of a call in progress (like a Diameter Credit-Control CCR-Update, RFC 4006
 * 5.1): after a top-up or an automatic refill, the call may run longer. Recomputes the longest call the
 * wallet (balance minus every OTHER call's reservation) and the daily cap fund now, capped at the service
 * maximum (the policy's `fundCall`, as authorize); if that is longer than the call's current maximum, the
 * reservation grows to it (maxSeconds, reservedMinor, expiresAt) in one transaction under the company
 * lock, as authorize reserves. Never shortens a call. Idempotent: asking again without new money answers
 * the same maximum with `extended: false`. A call that already ended (completed or released) or whose
 * reservation expired is refused with 409; an unknown call id with 404.
 */
export async function extendCall(deps: CallChargingDeps, callId: string): Promise<ExtendCallResponse> {
  const outcome = await withLockedReservation(deps, callId, async (tx, company, row): Promise<{ answer: ExtendCallResponse; refill: RefillRow | null; companyId?: string }> => {
    if (row.status !== 'active') throw new ApiError(409, 'conflict', `This call has already ended (${row.status}); it cannot be extended`);
    const now = deps.now();
    if (row.expiresAt <= now) throw new ApiError(409, 'conflict', 'This call\'s reservation has expired; it cannot be extended');
    const unchanged = { answer: { callId, maxDurationSeconds: row.maxSeconds, extended: false }, refill: null };
    // Free calls (included, toll-free) already run to the service maximum and hold nothing.
    if (!row.charged) return unchanged;
    // Nothing more for a call whose caller was deactivated meanwhile (the proxy is ending it).
    if ((await tx.getUser(row.userId))?.deactivatedAt != null) return unchanged;
    // This call's own reservation is active and unexpired (checked above), so it is part of the sum.
    // A refusal funds 0 s, which never extends.
    const facts = await funding(deps, tx, company, now, { userId: row.userId, ownReservedMinor: row.reservedMinor });
    const { maxDurationSeconds: maxSeconds, reservedMinor } = fundCall(tariffOf(row), facts);
    if (maxSeconds <= row.maxSeconds) {
      // The proxy asks near the call's cap (docs/sip-server.md): the funds cannot make it longer, so the
      // call is out of money whatever the level. Refill now if the refill would lengthen it (not when the
      // service maximum or the daily cap is what ends it); the proxy asks again before the cap.
      const refillWouldExtend = company.autoRefillEnabled
        && fundCall(tariffOf(row), { ...facts, availableMinor: facts.availableMinor + company.autoRefillAmountMinor }).maxDurationSeconds > row.maxSeconds;
      const refill = refillWouldExtend ? await refillIfDue(deps, tx, company, { cause: 'extension', reference: callId, callOutOfFunds: true }) : null;
      return { ...unchanged, refill };
    }
    // Counted from the reservation's creation, as authorize counts it; never earlier than before.
    const expiresAt = Math.max(row.expiresAt, reservationExpiry(deps, row.createdAt, maxSeconds));
    await tx.updateReservation(callId, { maxSeconds, reservedMinor, expiresAt, updatedAt: now });
    deps.log.info({ callId, from: row.maxSeconds, to: maxSeconds }, 'call extended');
    // The longer call holds the new funds in turn: below the level again, the next refill starts now.
    const refill = await refillIfDue(deps, tx, company, { cause: 'extension', reference: callId });
    await tx.notifyWalletChange(company.id);
    return { answer: { callId, maxDurationSeconds: maxSeconds, extended: true }, refill, companyId: company.id };
  });
  // The caller's app moves its meter to the new cap (the wallet event carries the call's funded time).
  if (outcome.answer.extended && outcome.companyId) deps.onWalletChange(outcome.companyId);
  if (outcome.refill) deps.onRefillDue(outcome.refill.id);
  return outcome.answer;
}

function completion(row: ReservationRow, company: CompanyRow): CompleteCallResponse {
  return {
    callId: row.callId, status: row.status === 'released' ? 'released' : 'completed', chargedMinor: row.chargedMinor ?? 0,
    billedSeconds: row.billedSeconds ?? 0, currency: company.currency, balanceMinor: company.balanceMinor,
  };
}

/** What a call that ran `answeredSeconds` costs: at most its reserved duration, rounded to its increments; 0 for a free call. */
function chargeFor(row: ReservationRow, answeredSeconds: number, currency: CompanyRow['currency']): { billed: number; costMinor: number } {
  if (!row.charged) return { billed: 0, costMinor: 0 };
  const seconds = Math.min(answeredSeconds, row.maxSeconds);
  const tariff = tariffOf(row);
  return { billed: billedSeconds(seconds, tariff.increment), costMinor: callCostMinor(tariff, seconds, currency) };
}

/** The charge's details in the ledger (what the receipt shows). */
function chargeDetails(row: ReservationRow, answeredSeconds: number, billed: number, extension: string | null): object {
  return { number: row.e164, answeredSeconds, billedSeconds: billed, destination: row.destination, extension: extension ?? '' };
}

/**
 * Complete's one-round-trip write (PostgreSQL, `MoneyStatements`): the charge computed from the reservation
 * read without the lock; the statement charges only if, under the lock, the call is still active with the
 * same maximum and the wallet covers the whole cost. Null when the locked transaction must run: a repeat of
 * a call that already ended (it replays the first result), a charge the balance no longer covers (it is
 * capped there), a company with automatic refill on, or facts that changed.
 */
async function chargeInOneStatement(deps: CallChargingDeps, statements: MoneyStatements, callId: string, answeredSeconds: number): Promise<CompleteCallResponse | null> {
  const facts = await statements.completionFacts(callId);
  if (!facts) throw new ApiError(404, 'not_found', 'No call with this id was authorized');
  const { reservation: row, company } = facts;
  if (row.status !== 'active') return null;
  const { billed, costMinor } = chargeFor(row, answeredSeconds, company.currency);
  if (costMinor > 0 && (company.autoRefillEnabled || costMinor > company.balanceMinor)) return null;
  const now = deps.now();
  const charged = await statements.charge({
    callId, companyId: company.id, maxSeconds: row.maxSeconds, answeredSeconds, billedSeconds: billed, costMinor, now, txnId: newId('txn'),
    details: JSON.stringify(chargeDetails(row, answeredSeconds, billed, facts.callerExtension)), walletAccount: walletAccount(company.id),
    counterAccount: ledgerAccounts.callRevenue, notify: row.charged,
  });
  if (!charged) return null;
  if (costMinor > 0 || row.charged) deps.onWalletChange(company.id);
  return completion({ ...row, status: 'completed', answeredSeconds, billedSeconds: billed, chargedMinor: costMinor, txnSeq: charged.seq }, { ...company, balanceMinor: charged.balanceAfterMinor });
}

/**
 * The call ended after `answeredSeconds`: charge it exactly once (a repeated complete replays the first
 * result). The charge is for at most the reserved duration, and never more than the wallet holds. A
 * charge that crosses the automatic-refill threshold commits a refill, then hands it to `onRefillDue`.
 */
export async function completeCall(deps: CallChargingDeps, callId: string, answeredSeconds: number): Promise<CompleteCallResponse> {
  const statements = deps.repository.moneyStatements;
  if (statements) {
    const answer = await chargeInOneStatement(deps, statements, callId, answeredSeconds);
    if (answer) return answer;
  }
  const outcome = await withLockedReservation(deps, callId, async (tx, company, row, caller) => {
    if (row.status !== 'active') return { response: completion(row, company), refill: null, changed: false, companyId: company.id };
    const now = deps.now();
    const { billed, costMinor } = chargeFor(row, answeredSeconds, company.currency);
    // Capped at the balance: only reachable if the reservation expired and other calls spent the funds.
    const cost = Math.min(costMinor, company.balanceMinor);
    let txnSeq: number | null = null;
    let refill: RefillRow | null = null;
    let balance = company.balanceMinor;
    if (cost > 0) {
      const appended = await appendTransaction(deps, tx, {
        company, kind: 'call_charge', reference: row.callId, walletDeltaMinor: -cost, counterAccount: ledgerAccounts.callRevenue,
        ratePrefix: row.ratePrefix, deckVersion: row.deckVersion,
        details: chargeDetails(row, answeredSeconds, billed, caller?.extension ?? null),
      });
      txnSeq = appended.seq;
      balance = appended.balanceAfter;
    }
    const updated: ReservationRow = { ...row, status: 'completed', answeredSeconds, billedSeconds: billed, chargedMinor: cost, txnSeq, updatedAt: now };
    await tx.updateReservation(callId, { status: 'completed', answeredSeconds, billedSeconds: billed, chargedMinor: cost, txnSeq, updatedAt: now });
    // Usually the reservation held the charge already and nothing changes; a charge beyond what was held
    // (an expired reservation) may still take the funds below the level.
    if (cost > 0 && txnSeq !== null) {
      refill = await refillIfDue(deps, tx, { ...company, balanceMinor: balance, lastSeq: txnSeq }, { cause: 'charge', reference: String(txnSeq), triggerTxnSeq: txnSeq });
    }
    // A paid call's end is a change even when it cost nothing: its funded time leaves the wallet event.
    if (row.charged && cost === 0) await tx.notifyWalletChange(company.id);
    return { response: completion(updated, { ...company, balanceMinor: balance }), refill, changed: cost > 0 || row.charged, companyId: company.id };
  },
  // The caller's extension is only written into the charge's details: read before the lock.
  (found: ReservationRow) => deps.repository.store.getUser(found.userId));
  if (outcome.changed) deps.onWalletChange(outcome.companyId);
  if (outcome.refill) deps.onRefillDue(outcome.refill.id);
  return outcome.response;
}

/**
 * The attempt failed in some way (never answered, cancelled, the authorize timed out or failed at the
 * proxy): free its reservation. Idempotent; a completed call stays completed. For a call id with no
 * reservation (yet) it records a tombstone, so an authorize that arrives or commits later is refused with
 * `released` and reserves nothing: the proxy may send this before its own authorize reached us.
 */
export async function releaseCall(deps: Pick<CallChargingDeps, 'repository' | 'now' | 'onWalletChange'>, callId: string): Promise<ReleaseCallResponse> {
  const outcome = await deps.repository.transaction(async (tx): Promise<{ answer: ReleaseCallResponse; freed: string | null }> => {
    const now = deps.now();
    // The key row first (it waits for an authorize of this id still in flight), then the company lock.
    await tx.markCallReleased(callId, now);
    const found = await tx.getReservation(callId);
    if (!found) return { answer: { callId, status: 'released', chargedMinor: 0, billedSeconds: 0, currency: null, balanceMinor: null, tombstone: true }, freed: null };
    const company = await lockCompany(tx, found.companyId);
    const row = (await tx.getReservation(callId)) ?? found;
    if (row.status !== 'active') return { answer: { ...completion(row, company), tombstone: false }, freed: null };
    await tx.updateReservation(callId, { status: 'released', chargedMinor: 0, billedSeconds: 0, answeredSeconds: 0, updatedAt: now });
    if (row.charged) await tx.notifyWalletChange(company.id);
    return { answer: { ...completion({ ...row, status: 'released', chargedMinor: 0, billedSeconds: 0 }, company), tombstone: false }, freed: row.charged ? company.id : null };
  });
  // The funds it held are available again, and its funded time leaves the wallet event.
  if (outcome.freed !== null) deps.onWalletChange(outcome.freed);
  return outcome.answer;
}
