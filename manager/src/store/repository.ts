import type { IntegrityReport } from '../../../shared/api/wallet-schemas';
import type { CurrencyCode } from '../../../shared/money/currency';
import type { NumberQueries } from '../numbers/number-queries';
import type { MoneyStatements } from './money-statements';

/** Rows as the service sees them: camelCase, numbers for money (safe integers), epoch ms for times. */
export interface CompanyRow {
  readonly id: string;
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly country: string;
  readonly sipDomain: string;
  readonly balanceMinor: number;
  readonly lastSeq: number;
  readonly autoRefillEnabled: boolean;
  readonly autoRefillThresholdMinor: number;
  readonly autoRefillAmountMinor: number;
  readonly autoRefillDeclines: number;
  readonly autoRefillDisabledReason: string | null;
  readonly dailyCapMinor: number | null;
  /** High-risk destination classes (`highRiskKinds`) may be called; false (blocked) unless an admin allows them. */
  readonly highRiskAllowed: boolean;
  /**
   * When the next automatic-refill attempt may start after a decline or the day's limit (migration 6);
   * null (or absent on rows written before it): no attempt is waiting.
   */
  readonly autoRefillRetryAt?: number | null;
  readonly createdAt: number;
}

export type UserRole = 'admin' | 'employee' | 'operator';

export interface UserRow {
  readonly id: string;
  readonly companyId: string | null;
  readonly email: string;
  readonly displayName: string;
  readonly role: UserRole;
  readonly extension: string | null;
  readonly passwordHash: string;
  readonly premiumBarred: boolean;
  readonly createdAt: number;
  /** When an admin deactivated the user (migration 8): no sign-in, sessions and SIP credentials revoked; null or absent: active. */
  readonly deactivatedAt?: number | null;
  /** When an admin removed the user (migration 8): kept for the history, email and extension freed; null or absent: not removed. */
  readonly removedAt?: number | null;
}

export interface SessionRow {
  readonly tokenHash: string;
  readonly userId: string;
  readonly kind: 'app' | 'web';
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface CardRow {
  readonly companyId: string;
  readonly providerToken: string;
  readonly brand: string;
  readonly last4: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly updatedAt: number;
}

export type LedgerKind = 'topup' | 'auto_refill' | 'call_charge' | 'reversal';

/** One leg of a double-entry transaction; the legs of a transaction sum to zero. */
export interface LedgerLeg {
  readonly account: string;
  readonly amountMinor: number;
}

export interface NewLedgerTransaction {
  readonly id: string;
  readonly companyId: string;
  readonly kind: LedgerKind;
  readonly reference: string;
  readonly currency: CurrencyCode;
  readonly walletDeltaMinor: number;
  readonly balanceAfterMinor: number;
  readonly ratePrefix: string | null;
  readonly deckVersion: string | null;
  readonly details: string | null;
  readonly createdAt: number;
  readonly legs: readonly LedgerLeg[];
}

export interface LedgerTransactionRow extends Omit<NewLedgerTransaction, 'legs'> {
  readonly seq: number;
}

export type TopUpStatusValue = 'pending' | 'succeeded' | 'declined' | 'cancelled';

export interface TopUpRow {
  readonly id: string;
  readonly companyId: string;
  readonly userId: string | null;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly status: TopUpStatusValue;
  readonly declineCode: string | null;
  readonly providerReference: string | null;
  readonly cardLast4: string | null;
  readonly receiptNumber: string | null;
  readonly txnSeq: number | null;
  readonly responseStatus: number | null;
  readonly responseBody: string | null;
  readonly cancelTxnSeq: number | null;
  readonly cancelReason: string | null;
  readonly refundStatus: 'pending' | 'refunded' | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly cancelledAt: number | null;
}

export type RefillStatus = 'pending' | 'succeeded' | 'declined' | 'skipped_limit';

/**
 * What started a refill (migration 6): a call's charge, its reservation or extension, the admin's settings,
 * a scheduled retry, or the previous refill that left the funds still below the level. 'debit': rows from
 * before migration 6, all started by a charge crossing the level.
 */
export type RefillCause = 'debit' | 'charge' | 'reservation' | 'extension' | 'settings' | 'retry' | 'refill';

export interface RefillRow {
  readonly id: string;
  readonly companyId: string;
  /** The ledger debit that started it; null for a refill started by anything else (migration 6). */
  readonly triggerTxnSeq: number | null;
  readonly cause?: RefillCause;
  /** The call id of a reservation or extension, or the ledger seq of a charge, as text. */
  readonly causeReference?: string | null;
  /** 1 for the first attempt after the funds went below the level, then 2, 3... for each retry after a decline. */
  readonly attempt?: number;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly status: RefillStatus;
  readonly declineCode: string | null;
  readonly providerReference: string | null;
  readonly txnSeq: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type ReservationStatus = 'active' | 'completed' | 'released';

/** What {@link Store.fundingSnapshot} reads. */
export interface FundingSnapshot {
  readonly reservedMinor: number;
  readonly spentTodayMinor: number;
  /** Null: the user has no monthly budget (and the two user sums are 0, not read). */
  readonly userBudgetMinor: number | null;
  readonly userSpentThisMonthMinor: number;
  readonly userReservedMinor: number;
}

export interface ReservationRow {
  readonly callId: string;
  readonly companyId: string;
  readonly userId: string;
  readonly dialed: string;
  readonly e164: string;
  readonly kind: string;
  readonly charged: boolean;
  readonly ratePrefix: string;
  readonly destination: string;
  readonly deckVersion: string;
  readonly pricePerMinute: number;
  readonly connectionFee: number;
  readonly incrementFirst: number;
  readonly incrementNext: number;
  readonly maxSeconds: number;
  readonly reservedMinor: number;
  readonly status: ReservationStatus;
  readonly answeredSeconds: number | null;
  readonly billedSeconds: number | null;
  readonly chargedMinor: number | null;
  readonly txnSeq: number | null;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly updatedAt: number;
}

/**
 * The key row of a call id (table call_attempts): written first by whichever of authorize and release
 * arrives first, so the two serialise on it. `releasedAt` set and no reservation: a tombstone (the proxy
 * gave up before the manager answered, or the manager never saw the authorize).
 */
export interface CallAttemptRow {
  readonly callId: string;
  readonly releasedAt: number | null;
  /** The money refusal (insufficient_funds, daily_cap) the first authorize answered, replayed to repeats. */
  readonly refusal: string | null;
  readonly createdAt: number;
}

/** One user's outside-call scope (table user_outside_calls); no row means scope 'all'. */
export interface OutsideCallsRow {
  readonly userId: string;
  readonly scope: 'plan' | 'countries' | 'all';
  /** Sorted ISO 3166-1 alpha-2 codes joined by commas; empty unless scope is 'countries'. */
  readonly countries: string;
  readonly updatedAt: number;
}

export interface NotificationRow {
  readonly id: string;
  readonly companyId: string;
  readonly kind: string;
  readonly message: string;
  /** JSON object of the message's values (migration 6), so each reader can word it in its own language. */
  readonly params?: string | null;
  readonly createdAt: number;
}

/** One user's monthly budget for calls (table user_budgets, migration 7); no row: no budget. */
export interface UserBudgetRow {
  readonly userId: string;
  readonly companyId: string;
  /** Most the user's calls may be charged per UTC calendar month, minor units (> 0). */
  readonly monthlyBudgetMinor: number;
  /** The admin who set it. */
  readonly updatedBy: string;
  readonly updatedAt: number;
}

/** A one-time password link (table password_links, migration 8): a welcome link or an admin's reset link. */
export interface PasswordLinkRow {
  readonly tokenHash: string;
  readonly userId: string;
  readonly purpose: 'welcome' | 'reset';
  /** The operator or admin who issued it; null for the command line. */
  readonly createdBy: string | null;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

/** One entry of the append-only audit trail (table audit_events, migration 8). */
export interface NewAuditEvent {
  /** The company it concerns; null for an operator action on no company. */
  readonly companyId: string | null;
  readonly actorId: string | null;
  /** Who did it, as shown (email, or "command line", "automatic refill"). */
  readonly actorLabel: string;
  readonly action: string;
  /** What it was done to (a user id, a top-up id...). */
  readonly target: string | null;
  /** JSON object of the values (amounts, before/after). */
  readonly details: string | null;
  readonly createdAt: number;
}

/**
 * SIP credentials of `extension`@`sipDomain` whose expiry (unix seconds) is at most `refuseExpiryUpto` are
 * refused by the proxy (migration 8): 2^31-1 while the user is deactivated; after a reactivation or when the
 * extension goes to someone else, the revocation time plus the credential lifetime, so credentials issued
 * before stay dead and new ones work.
 */
export interface SipRevocationRow {
  readonly sipDomain: string;
  readonly extension: string;
  readonly refuseExpiryUpto: number;
  readonly updatedAt: number;
}

export interface AuditEventRow extends NewAuditEvent {
  readonly seq: number;
}

/**
 * Every query the service needs. The same interface is used inside a transaction and outside one; inside
 * (`Repository.transaction`) the calls form one atomic unit.
 */
export interface Store {
  /** Company numbers and ring groups (migration 9, manager/src/numbers/number-queries.ts). */
  readonly numbers: NumberQueries;
  getMeta(key: string): Promise<string | null>;
  setMetaIfAbsent(key: string, value: string): Promise<void>;

  getCompany(id: string): Promise<CompanyRow | null>;
  /** Reads the company row and, on PostgreSQL, locks it until commit: every money write starts here. */
  lockCompany(id: string): Promise<CompanyRow | null>;
  getCompanyByDomain(sipDomain: string): Promise<CompanyRow | null>;
  listCompanies(): Promise<CompanyRow[]>;
  insertCompany(company: CompanyRow): Promise<void>;
  setCompanyBalance(id: string, balanceMinor: number, lastSeq: number): Promise<void>;
  setAutoRefill(id: string, settings: { enabled: boolean; thresholdMinor: number; amountMinor: number; declines: number; disabledReason: string | null }): Promise<void>;
  setDailyCap(id: string, dailyCapMinor: number | null): Promise<void>;
  setHighRiskAllowed(id: string, allowed: boolean): Promise<void>;

  getUser(id: string): Promise<UserRow | null>;
  /** Reads the user row and, on PostgreSQL, locks it until commit: a person's password links change under it. */
  lockUser(id: string): Promise<UserRow | null>;
  getUserByEmail(email: string): Promise<UserRow | null>;
  getUserByExtension(companyId: string, extension: string): Promise<UserRow | null>;
  listUsers(companyId: string): Promise<UserRow[]>;
  insertUser(user: UserRow): Promise<void>;
  setPremiumBarred(userId: string, barred: boolean): Promise<void>;
  getOutsideCalls(userId: string): Promise<OutsideCallsRow | null>;
  setOutsideCalls(row: OutsideCallsRow): Promise<void>;

  insertSession(session: SessionRow): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRow | null>;
  deleteSession(tokenHash: string): Promise<void>;
  insertHandoff(codeHash: string, userId: string, nextPath: string, expiresAt: number): Promise<void>;
  /** Marks a valid, unused code used and returns it; null when unknown, expired or already used. */
  consumeHandoff(codeHash: string, now: number): Promise<{ userId: string; nextPath: string } | null>;
  getSignInAttempts(key: string): Promise<{ windowStart: number; failures: number } | null>;
  setSignInAttempts(key: string, windowStart: number, failures: number): Promise<void>;
  clearSignInAttempts(key: string): Promise<void>;
  /**
   * Counts one sign-in attempt for `key` before its password is checked, atomically (one statement), and
   * returns the window and the count including this attempt; a window older than `windowMs` restarts at 1.
   */
  reserveSignInAttempt(key: string, now: number, windowMs: number): Promise<{ windowStart: number; failures: number }>;
  /** Gives back an attempt reserved by `reserveSignInAttempt` that turned out not to be a failure. */
  releaseSignInAttempt(key: string): Promise<void>;

  getCard(companyId: string): Promise<CardRow | null>;
  upsertCard(card: CardRow): Promise<void>;

  /** Appends a transaction and its legs; returns its sequence number. */
  appendLedger(txn: NewLedgerTransaction): Promise<number>;
  /**
   * `appendLedger`, then the company's balance set to the transaction's `balanceAfterMinor` and its last seq
   * to the new seq, then (PostgreSQL) the wallet-change notification: on PostgreSQL one statement, so one
   * round trip while the company row is locked instead of four. Call under the company lock.
   */
  appendLedgerAndSetBalance(txn: NewLedgerTransaction): Promise<number>;
  listLedger(companyId: string, beforeSeq: number | null, limit: number): Promise<LedgerTransactionRow[]>;
  sumCallChargesSince(companyId: string, since: number): Promise<number>;
  maxSeq(): Promise<number>;
  companiesChangedSince(seq: number): Promise<Array<{ companyId: string; lastSeq: number }>>;

  getTopUp(id: string): Promise<TopUpRow | null>;
  getTopUpByKey(companyId: string, idempotencyKey: string): Promise<TopUpRow | null>;
  insertTopUp(topUp: TopUpRow): Promise<void>;
  updateTopUp(id: string, changes: Partial<Omit<TopUpRow, 'id' | 'companyId' | 'idempotencyKey' | 'requestHash'>>): Promise<void>;
  listTopUps(companyId: string, limit: number): Promise<TopUpRow[]>;
  listPendingTopUps(olderThan: number): Promise<TopUpRow[]>;
  listPendingRefunds(): Promise<TopUpRow[]>;

  insertRefill(refill: RefillRow): Promise<void>;
  getRefill(id: string): Promise<RefillRow | null>;
  updateRefill(id: string, changes: Partial<Pick<RefillRow, 'status' | 'declineCode' | 'providerReference' | 'txnSeq' | 'updatedAt'>>): Promise<void>;
  countRefillsSince(companyId: string, since: number): Promise<number>;
  listPendingRefills(): Promise<RefillRow[]>;
  listRefills(companyId: string): Promise<RefillRow[]>;
  /** Is a refill of this company pending (being charged)? Call under the company lock. */
  hasPendingRefill(companyId: string): Promise<boolean>;
  /** The creation time of the company's first counted refill attempt since `since`, or null. */
  firstRefillSince(companyId: string, since: number): Promise<number | null>;
  /** The company's refill attempts, newest first (for the activity). */
  listRefillAttempts(companyId: string, limit: number): Promise<RefillRow[]>;
  /** Sets (or clears) when the next automatic-refill attempt may start. */
  setAutoRefillRetryAt(companyId: string, retryAt: number | null): Promise<void>;
  /** Companies with refill on whose scheduled retry is due at `now`. */
  listCompaniesWithRefillRetryDue(now: number): Promise<string[]>;

  getReservation(callId: string): Promise<ReservationRow | null>;
  insertReservation(reservation: ReservationRow): Promise<void>;
  updateReservation(callId: string, changes: Partial<Pick<ReservationRow, 'status' | 'answeredSeconds' | 'billedSeconds' | 'chargedMinor' | 'txnSeq' | 'updatedAt' | 'maxSeconds' | 'reservedMinor' | 'expiresAt'>>): Promise<void>;
  sumActiveReservations(companyId: string, now: number): Promise<number>;
  /** The company's active, unexpired reservations (calls in progress), oldest first. */
  listActiveReservations(companyId: string, now: number): Promise<ReservationRow[]>;
  /**
   * Claims a call id for an authorize: true when this is the first time the id is seen. On PostgreSQL an
   * INSERT of a key another open transaction inserted waits for it, so authorizes and releases of one id
   * serialise here; call it before locking the company (the order every call transaction takes).
   */
  claimCallAttempt(callId: string, now: number): Promise<boolean>;
  /** Records the release of a call id, creating its row (a tombstone) if unseen; the first release time stays. */
  markCallReleased(callId: string, now: number): Promise<void>;
  getCallAttempt(callId: string): Promise<CallAttemptRow | null>;
  setCallRefusal(callId: string, refusal: string): Promise<void>;

  insertNotification(notification: NotificationRow): Promise<void>;
  listNotifications(companyId: string, limit: number): Promise<NotificationRow[]>;

  /** Tells other instances a company's wallet changed; delivered only if the surrounding transaction commits. */
  notifyWalletChange(companyId: string): Promise<void>;

  /** Checks the ledger's invariants across all companies (see docs/money-flow.md). */
  checkIntegrity(): Promise<IntegrityReport>;

  // Monthly budgets per user (migration 7, manager/src/budgets/).
  getUserBudget(userId: string): Promise<UserBudgetRow | null>;
  listUserBudgets(companyId: string): Promise<UserBudgetRow[]>;
  setUserBudget(row: UserBudgetRow): Promise<void>;
  deleteUserBudget(userId: string): Promise<void>;
  /** The user's call charges in the ledger since `since` (each charge's reference is its reservation's call id). */
  sumUserCallChargesSince(userId: string, since: number): Promise<number>;
  /** The user's active, unexpired reservations (every call of theirs in progress). */
  sumUserActiveReservations(userId: string, now: number): Promise<number>;
  /**
   * Everything funding one more call reads, in one round trip (it runs under the company lock): the
   * company's active reservations; its call charges since `dayStart` (null: no daily cap, not summed); the
   * user's monthly budget and, only when there is one, their charges since `monthStart` and their active
   * reservations. The same figures as sumActiveReservations, sumCallChargesSince, getUserBudget,
   * sumUserCallChargesSince and sumUserActiveReservations.
   */
  fundingSnapshot(args: { readonly companyId: string; readonly userId: string; readonly now: number; readonly dayStart: number | null; readonly monthStart: number }): Promise<FundingSnapshot>;
  /** A ledger transaction of the company by sequence number (a call's receipt reads its charge). */
  getLedgerTransaction(companyId: string, seq: number): Promise<LedgerTransactionRow | null>;

  // People, password links and the audit trail (migration 8, manager/src/people/, manager/src/audit/).
  /** Changes a user's role, extension, name, email, password, deactivation or removal. */
  updateUser(userId: string, changes: Partial<Pick<UserRow, 'role' | 'extension' | 'displayName' | 'email' | 'passwordHash' | 'deactivatedAt' | 'removedAt'>>): Promise<void>;
  /** Ends every session of the user but `exceptTokenHash` (deactivation, removal, a password change); returns their token hashes. */
  deleteSessionsOfUser(userId: string, exceptTokenHash?: string): Promise<string[]>;
  insertPasswordLink(link: PasswordLinkRow): Promise<void>;
  /** Marks a valid, unused link used and returns it; null when unknown, expired or used. */
  consumePasswordLink(tokenHash: string, now: number): Promise<PasswordLinkRow | null>;
  /** A valid, unused link (the page shows the form before the password is posted); null otherwise. */
  getLivePasswordLink(tokenHash: string, now: number): Promise<PasswordLinkRow | null>;
  /** Invalidates the user's unused links (a new link, a password set, a deactivation). */
  expirePasswordLinksOf(userId: string, now: number): Promise<void>;
  appendAudit(event: NewAuditEvent): Promise<number>;
  /** The trail newest first: one company's (companyId), or every company's (null: operators). */
  listAudit(companyId: string | null, beforeSeq: number | null, limit: number): Promise<AuditEventRow[]>;
  /** Sets what the proxy refuses for one extension (table sip_revocations). */
  setSipRevocation(row: SipRevocationRow): Promise<void>;
  /** Revocations still biting at `nowUnix` (refuse_expiry_upto > nowUnix): the proxy's list. */
  listSipRevocations(nowUnix: number): Promise<SipRevocationRow[]>;
}

/**
 * The storage boundary: one interface, two implementations (SQLite embedded, PostgreSQL for several
 * instances). Both run the same SQL through `SqlStore`; they differ in how a transaction is opened and how
 * other instances hear about wallet changes.
 */
export interface Repository {
  readonly dialect: 'sqlite' | 'postgres';
  /** Reads and single-statement writes outside any transaction. */
  readonly store: Store;
  /**
   * Runs `work` atomically and returns its result: everything it wrote commits together or not at all.
   * Transient conflicts (SQLITE_BUSY, serialization failures, deadlocks) are retried from the start, so
   * `work` must have no side effects outside the store.
   */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * A call's authorize and complete in one write round trip each (PostgreSQL, migration 10); absent where
   * a statement costs no round trip (SQLite runs in the process).
   */
  readonly moneyStatements?: MoneyStatements;
  /** Subscribes to wallet changes made by any instance (PostgreSQL LISTEN); null when unsupported. */
  listenWalletChanges(onChange: (companyId: string) => void): Promise<(() => Promise<void>) | null>;
  /** One round trip to the database (readiness); DatabaseUnavailableError when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
