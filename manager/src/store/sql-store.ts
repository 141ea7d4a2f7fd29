import type { IntegrityReport } from '../../../shared/api/wallet-schemas';
import type {
  CallAttemptRow, CardRow, CompanyRow, LedgerTransactionRow, NewLedgerTransaction, NotificationRow, OutsideCallsRow, RefillRow, ReservationRow, SessionRow,
  Store, TopUpRow, UserBudgetRow, UserRow,
} from './repository';
import type { AuditEventRow, FundingSnapshot, NewAuditEvent, PasswordLinkRow, SipRevocationRow } from './repository';
import type { SqlExecutor, SqlRow } from './sql-executor';
import { NumberQueries } from '../numbers/number-queries';

const booleanColumns = new Set(['autoRefillEnabled', 'premiumBarred', 'charged', 'highRiskAllowed']);

function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function snake(key: string): string {
  // Digits stay attached to their word: cardLast4 → card_last4, e164 → e164.
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** A row as the service sees it: camelCase keys, the 0/1 boolean columns as booleans. */
export function mapRow<T>(row: SqlRow): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const name = camel(key);
    out[name] = booleanColumns.has(name) ? value === 1 || value === true : value;
  }
  return out as T;
}

function toDb(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value ?? null;
}

/** `row` as the database stores it: snake_case keys, booleans as 0/1, undefined as null. */
export function toDbRecord(row: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [snake(key), toDb(value)]));
}

function asNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return 0;
  throw new TypeError(`Expected a number from the database, got ${typeof value}`);
}

/**
 * The one implementation of `Store`, shared by both dialects. Statements stay portable (SQLite 3.35+ and
 * PostgreSQL 15 both have RETURNING and ON CONFLICT); the only dialect switch is the row lock.
 */
export class SqlStore implements Store {
  constructor(
    private readonly db: SqlExecutor,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  /** Company numbers and ring groups (migration 9, manager/src/numbers/), over this store's connection. */
  get numbers(): NumberQueries {
    return new NumberQueries(this.db);
  }

  private async one<T>(sql: string, params: readonly unknown[]): Promise<T | null> {
    const rows = await this.db.all(sql, params);
    return rows[0] ? mapRow<T>(rows[0]) : null;
  }

  private async many<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.db.all(sql, params)).map((row) => mapRow<T>(row));
  }

  private async insert(table: string, row: object): Promise<void> {
    const entries = Object.entries(row);
    const columns = entries.map(([key]) => snake(key));
    await this.db.run(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      entries.map(([, value]) => toDb(value)),
    );
  }

  private async update(table: string, keyColumn: string, key: string, changes: object): Promise<void> {
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    await this.db.run(
      `UPDATE ${table} SET ${entries.map(([name]) => `${snake(name)} = ?`).join(', ')} WHERE ${keyColumn} = ?`,
      [...entries.map(([, value]) => toDb(value)), key],
    );
  }

  async getMeta(key: string): Promise<string | null> {
    const row = await this.one<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]);
    return row?.value ?? null;
  }

  async setMetaIfAbsent(key: string, value: string): Promise<void> {
    await this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value]);
  }

  getCompany(id: string): Promise<CompanyRow | null> {
    return this.one('SELECT * FROM companies WHERE id = ?', [id]);
  }

  lockCompany(id: string): Promise<CompanyRow | null> {
    // SQLite's BEGIN IMMEDIATE already holds the database write lock; PostgreSQL locks just this row.
    return this.one(`SELECT * FROM companies WHERE id = ?${this.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [id]);
  }

  getCompanyByDomain(sipDomain: string): Promise<CompanyRow | null> {
    return this.one('SELECT * FROM companies WHERE sip_domain = ?', [sipDomain]);
  }

  listCompanies(): Promise<CompanyRow[]> {
    return this.many('SELECT * FROM companies ORDER BY created_at, id', []);
  }

  insertCompany(company: CompanyRow): Promise<void> {
    return this.insert('companies', company);
  }

  async setCompanyBalance(id: string, balanceMinor: number, lastSeq: number): Promise<void> {
    await this.db.run('UPDATE companies SET balance_minor = ?, last_seq = ? WHERE id = ?', [balanceMinor, lastSeq, id]);
  }

  async setAutoRefill(id: string, settings: { enabled: boolean; thresholdMinor: number; amountMinor: number; declines: number; disabledReason: string | null }): Promise<void> {
    await this.db.run(
      'UPDATE companies SET auto_refill_enabled = ?, auto_refill_threshold_minor = ?, auto_refill_amount_minor = ?, auto_refill_declines = ?, auto_refill_disabled_reason = ? WHERE id = ?',
      [toDb(settings.enabled), settings.thresholdMinor, settings.amountMinor, settings.declines, settings.disabledReason, id],
    );
  }

  async setDailyCap(id: string, dailyCapMinor: number | null): Promise<void> {
    await this.db.run('UPDATE companies SET daily_cap_minor = ? WHERE id = ?', [dailyCapMinor, id]);
  }

  async setHighRiskAllowed(id: string, allowed: boolean): Promise<void> {
    await this.db.run('UPDATE companies SET high_risk_allowed = ? WHERE id = ?', [toDb(allowed), id]);
  }

  getUser(id: string): Promise<UserRow | null> {
    return this.one('SELECT * FROM users WHERE id = ?', [id]);
  }

  lockUser(id: string): Promise<UserRow | null> {
    // As lockCompany: SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL locks just this row.
    return this.one(`SELECT * FROM users WHERE id = ?${this.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [id]);
  }

  getUserByEmail(email: string): Promise<UserRow | null> {
    return this.one('SELECT * FROM users WHERE email = ?', [email.toLowerCase()]);
  }

  getUserByExtension(companyId: string, extension: string): Promise<UserRow | null> {
    return this.one('SELECT * FROM users WHERE company_id = ? AND extension = ?', [companyId, extension]);
  }

  listUsers(companyId: string): Promise<UserRow[]> {
    return this.many('SELECT * FROM users WHERE company_id = ? ORDER BY extension, email', [companyId]);
  }

  insertUser(user: UserRow): Promise<void> {
    return this.insert('users', { ...user, email: user.email.toLowerCase() });
  }

  async setPremiumBarred(userId: string, barred: boolean): Promise<void> {
    await this.db.run('UPDATE users SET premium_barred = ? WHERE id = ?', [toDb(barred), userId]);
  }

  getOutsideCalls(userId: string): Promise<OutsideCallsRow | null> {
    return this.one('SELECT * FROM user_outside_calls WHERE user_id = ?', [userId]);
  }

  async setOutsideCalls(row: OutsideCallsRow): Promise<void> {
    await this.db.run(
      `INSERT INTO user_outside_calls (user_id, scope, countries, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET scope = excluded.scope, countries = excluded.countries, updated_at = excluded.updated_at`,
      [row.userId, row.scope, row.countries, row.updatedAt],
    );
  }

  insertSession(session: SessionRow): Promise<void> {
    return this.insert('sessions', session);
  }

  getSession(tokenHash: string): Promise<SessionRow | null> {
    return this.one('SELECT * FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  async insertHandoff(codeHash: string, userId: string, nextPath: string, expiresAt: number): Promise<void> {
    await this.db.run('INSERT INTO handoff_codes (code_hash, user_id, next_path, expires_at) VALUES (?, ?, ?, ?)', [codeHash, userId, nextPath, expiresAt]);
  }

  async consumeHandoff(codeHash: string, now: number): Promise<{ userId: string; nextPath: string } | null> {
    // One conditional UPDATE: of two racing requests only one sees its row come back.
    return this.one(
      'UPDATE handoff_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id, next_path',
      [now, codeHash, now],
    );
  }

  getSignInAttempts(key: string): Promise<{ windowStart: number; failures: number } | null> {
    return this.one('SELECT window_start, failures FROM sign_in_attempts WHERE key = ?', [key]);
  }

  async setSignInAttempts(key: string, windowStart: number, failures: number): Promise<void> {
    await this.db.run(
      'INSERT INTO sign_in_attempts (key, window_start, failures) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, failures = excluded.failures',
      [key, windowStart, failures],
    );
  }

  async clearSignInAttempts(key: string): Promise<void> {
    await this.db.run('DELETE FROM sign_in_attempts WHERE key = ?', [key]);
  }

  async reserveSignInAttempt(key: string, now: number, windowMs: number): Promise<{ windowStart: number; failures: number }> {
    // One statement, so concurrent guesses each get their own count: a window older than windowMs starts
    // again at 1, otherwise the count grows by one. The row lock of ON CONFLICT DO UPDATE serialises them.
    const expiredBefore = now - windowMs;
    const row = await this.one<{ windowStart: number; failures: number }>(
      `INSERT INTO sign_in_attempts (key, window_start, failures) VALUES (?, ?, 1)
       ON CONFLICT (key) DO UPDATE SET
         window_start = CASE WHEN sign_in_attempts.window_start <= ? THEN excluded.window_start ELSE sign_in_attempts.window_start END,
         failures = CASE WHEN sign_in_attempts.window_start <= ? THEN 1 ELSE sign_in_attempts.failures + 1 END
       RETURNING window_start, failures`,
      [key, now, expiredBefore, expiredBefore],
    );
    if (!row) throw new Error('sign-in attempt reservation returned no row');
    return { windowStart: asNumber(row.windowStart), failures: asNumber(row.failures) };
  }

  async releaseSignInAttempt(key: string): Promise<void> {
    await this.db.run('UPDATE sign_in_attempts SET failures = failures - 1 WHERE key = ? AND failures > 0', [key]);
  }

  getCard(companyId: string): Promise<CardRow | null> {
    return this.one('SELECT * FROM cards WHERE company_id = ?', [companyId]);
  }

  async upsertCard(card: CardRow): Promise<void> {
    await this.db.run(
      `INSERT INTO cards (company_id, provider_token, brand, last4, exp_month, exp_year, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (company_id) DO UPDATE SET provider_token = excluded.provider_token, brand = excluded.brand, last4 = excluded.last4,
       exp_month = excluded.exp_month, exp_year = excluded.exp_year, updated_at = excluded.updated_at`,
      [card.companyId, card.providerToken, card.brand, card.last4, card.expMonth, card.expYear, card.updatedAt],
    );
  }

  async appendLedgerAndSetBalance(txn: NewLedgerTransaction): Promise<number> {
    if (this.dialect !== 'postgres') {
      // SQLite runs in this process: four statements cost no network round trip.
      const seq = await this.appendLedger(txn);
      await this.setCompanyBalance(txn.companyId, txn.balanceAfterMinor, seq);
      return seq;
    }
    const { legs, ...header } = txn;
    // Data-modifying CTEs all run, in one statement; the legs' foreign key is checked at its end, when the
    // transaction row exists. pg_notify in the final SELECT: delivered only if the transaction commits.
    const rows = await this.db.all(
      `WITH txn AS (
         INSERT INTO ledger_transactions (id, company_id, kind, reference, currency, wallet_delta_minor, balance_after_minor, rate_prefix, deck_version, details, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq
       ), legs AS (
         INSERT INTO ledger_entries (txn_seq, leg, account, amount_minor, currency)
         SELECT txn.seq, leg.n, leg.account, leg.amount, leg.currency FROM txn,
           (VALUES ${legs.map(() => '(?::integer, ?::text, ?::bigint, ?::text)').join(', ')}) AS leg(n, account, amount, currency)
       ), balance AS (
         UPDATE companies SET balance_minor = ?, last_seq = (SELECT seq FROM txn) WHERE id = ?
       )
       SELECT seq, pg_notify('cabine_wallet', ?) FROM txn`,
      [
        header.id, header.companyId, header.kind, header.reference, header.currency, header.walletDeltaMinor, header.balanceAfterMinor, header.ratePrefix, header.deckVersion, header.details, header.createdAt,
        ...legs.flatMap((entry, leg) => [leg, entry.account, entry.amountMinor, header.currency]),
        header.balanceAfterMinor, header.companyId, header.companyId,
      ],
    );
    return asNumber(rows[0]?.seq);
  }

  async appendLedger(txn: NewLedgerTransaction): Promise<number> {
    const { legs, ...header } = txn;
    const rows = await this.db.all(
      `INSERT INTO ledger_transactions (id, company_id, kind, reference, currency, wallet_delta_minor, balance_after_minor, rate_prefix, deck_version, details, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
      [header.id, header.companyId, header.kind, header.reference, header.currency, header.walletDeltaMinor, header.balanceAfterMinor, header.ratePrefix, header.deckVersion, header.details, header.createdAt],
    );
    const seq = asNumber(rows[0]?.seq);
    // All legs in one statement: one round trip less while the company row is locked.
    await this.db.run(
      `INSERT INTO ledger_entries (txn_seq, leg, account, amount_minor, currency) VALUES ${legs.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      legs.flatMap((entry, leg) => [seq, leg, entry.account, entry.amountMinor, header.currency]),
    );
    return seq;
  }

  listLedger(companyId: string, beforeSeq: number | null, limit: number): Promise<LedgerTransactionRow[]> {
    return this.many(
      'SELECT * FROM ledger_transactions WHERE company_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
      [companyId, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit],
    );
  }

  async sumCallChargesSince(companyId: string, since: number): Promise<number> {
    const rows = await this.db.all(
      "SELECT COALESCE(SUM(-wallet_delta_minor), 0) AS total FROM ledger_transactions WHERE company_id = ? AND kind = 'call_charge' AND created_at >= ?",
      [companyId, since],
    );
    return asNumber(rows[0]?.total);
  }

  async maxSeq(): Promise<number> {
    const rows = await this.db.all('SELECT COALESCE(MAX(seq), 0) AS seq FROM ledger_transactions', []);
    return asNumber(rows[0]?.seq);
  }

  companiesChangedSince(seq: number): Promise<Array<{ companyId: string; lastSeq: number }>> {
    return this.many('SELECT id AS company_id, last_seq FROM companies WHERE last_seq > ?', [seq]);
  }

  getTopUp(id: string): Promise<TopUpRow | null> {
    return this.one('SELECT * FROM topups WHERE id = ?', [id]);
  }

  getTopUpByKey(companyId: string, idempotencyKey: string): Promise<TopUpRow | null> {
    return this.one('SELECT * FROM topups WHERE company_id = ? AND idempotency_key = ?', [companyId, idempotencyKey]);
  }

  insertTopUp(topUp: TopUpRow): Promise<void> {
    return this.insert('topups', topUp);
  }

  updateTopUp(id: string, changes: Partial<TopUpRow>): Promise<void> {
    return this.update('topups', 'id', id, changes);
  }

  listTopUps(companyId: string, limit: number): Promise<TopUpRow[]> {
    return this.many('SELECT * FROM topups WHERE company_id = ? ORDER BY created_at DESC, id LIMIT ?', [companyId, limit]);
  }

  listPendingTopUps(olderThan: number): Promise<TopUpRow[]> {
    return this.many("SELECT * FROM topups WHERE status = 'pending' AND created_at <= ? ORDER BY created_at", [olderThan]);
  }

  listPendingRefunds(): Promise<TopUpRow[]> {
    return this.many("SELECT * FROM topups WHERE refund_status = 'pending' ORDER BY created_at", []);
  }

  insertRefill(refill: RefillRow): Promise<void> {
    return this.insert('refills', refill);
  }

  getRefill(id: string): Promise<RefillRow | null> {
    return this.one('SELECT * FROM refills WHERE id = ?', [id]);
  }

  updateRefill(id: string, changes: Partial<RefillRow>): Promise<void> {
    return this.update('refills', 'id', id, changes);
  }

  async countRefillsSince(companyId: string, since: number): Promise<number> {
    const rows = await this.db.all(
      "SELECT COUNT(*) AS n FROM refills WHERE company_id = ? AND created_at >= ? AND status IN ('pending', 'succeeded', 'declined')",
      [companyId, since],
    );
    return asNumber(rows[0]?.n);
  }

  listPendingRefills(): Promise<RefillRow[]> {
    return this.many("SELECT * FROM refills WHERE status = 'pending' ORDER BY created_at", []);
  }

  listRefills(companyId: string): Promise<RefillRow[]> {
    return this.many('SELECT * FROM refills WHERE company_id = ? ORDER BY trigger_txn_seq', [companyId]);
  }

  async hasPendingRefill(companyId: string): Promise<boolean> {
    const rows = await this.db.all("SELECT 1 AS found FROM refills WHERE company_id = ? AND status = 'pending' LIMIT 1", [companyId]);
    return rows.length > 0;
  }

  async firstRefillSince(companyId: string, since: number): Promise<number | null> {
    const rows = await this.db.all(
      "SELECT MIN(created_at) AS first FROM refills WHERE company_id = ? AND created_at >= ? AND status IN ('pending', 'succeeded', 'declined')",
      [companyId, since],
    );
    const first = rows[0]?.first;
    return first === null || first === undefined ? null : asNumber(first);
  }

  listRefillAttempts(companyId: string, limit: number): Promise<RefillRow[]> {
    return this.many('SELECT * FROM refills WHERE company_id = ? ORDER BY created_at DESC, id DESC LIMIT ?', [companyId, limit]);
  }

  async setAutoRefillRetryAt(companyId: string, retryAt: number | null): Promise<void> {
    await this.db.run('UPDATE companies SET auto_refill_retry_at = ? WHERE id = ?', [retryAt, companyId]);
  }

  async listCompaniesWithRefillRetryDue(now: number): Promise<string[]> {
    const rows = await this.db.all(
      `SELECT id FROM companies WHERE auto_refill_enabled = 1 AND auto_refill_retry_at IS NOT NULL AND auto_refill_retry_at <= ? ORDER BY id`,
      [now],
    );
    return rows.map((row) => String(row.id));
  }

  getReservation(callId: string): Promise<ReservationRow | null> {
    return this.one('SELECT * FROM reservations WHERE call_id = ?', [callId]);
  }

  insertReservation(reservation: ReservationRow): Promise<void> {
    return this.insert('reservations', reservation);
  }

  updateReservation(callId: string, changes: Partial<ReservationRow>): Promise<void> {
    return this.update('reservations', 'call_id', callId, changes);
  }

  listActiveReservations(companyId: string, now: number): Promise<ReservationRow[]> {
    return this.many("SELECT * FROM reservations WHERE company_id = ? AND status = 'active' AND expires_at > ? ORDER BY created_at, call_id", [companyId, now]);
  }

  async sumActiveReservations(companyId: string, now: number): Promise<number> {
    const rows = await this.db.all(
      "SELECT COALESCE(SUM(reserved_minor), 0) AS total FROM reservations WHERE company_id = ? AND status = 'active' AND expires_at > ?",
      [companyId, now],
    );
    return asNumber(rows[0]?.total);
  }

  async claimCallAttempt(callId: string, now: number): Promise<boolean> {
    const inserted = await this.db.run('INSERT INTO call_attempts (call_id, created_at) VALUES (?, ?) ON CONFLICT (call_id) DO NOTHING', [callId, now]);
    return inserted === 1;
  }

  async markCallReleased(callId: string, now: number): Promise<void> {
    // DO UPDATE (not DO NOTHING) so the row stays locked until commit on PostgreSQL, like the authorize's insert.
    await this.db.run(
      `INSERT INTO call_attempts (call_id, released_at, created_at) VALUES (?, ?, ?)
       ON CONFLICT (call_id) DO UPDATE SET released_at = COALESCE(call_attempts.released_at, excluded.released_at)`,
      [callId, now, now],
    );
  }

  getCallAttempt(callId: string): Promise<CallAttemptRow | null> {
    return this.one('SELECT * FROM call_attempts WHERE call_id = ?', [callId]);
  }

  async setCallRefusal(callId: string, refusal: string): Promise<void> {
    await this.db.run('UPDATE call_attempts SET refusal = ? WHERE call_id = ?', [refusal, callId]);
  }

  insertNotification(notification: NotificationRow): Promise<void> {
    return this.insert('notifications', notification);
  }

  listNotifications(companyId: string, limit: number): Promise<NotificationRow[]> {
    return this.many('SELECT * FROM notifications WHERE company_id = ? ORDER BY created_at DESC, id LIMIT ?', [companyId, limit]);
  }

  async notifyWalletChange(companyId: string): Promise<void> {
    // NOTIFY inside a transaction is delivered only if it commits. SQLite has no equivalent: other processes
    // notice through the event hub's poll of companies.last_seq.
    if (this.dialect === 'postgres') await this.db.all("SELECT pg_notify('cabine_wallet', ?)", [companyId]);
  }

  async checkIntegrity(): Promise<IntegrityReport> {
    const problems: string[] = [];
    const unbalanced = await this.db.all(
      `SELECT t.seq AS seq, COUNT(e.leg) AS legs, COALESCE(SUM(e.amount_minor), 0) AS total FROM ledger_transactions t
       LEFT JOIN ledger_entries e ON e.txn_seq = t.seq GROUP BY t.seq HAVING COUNT(e.leg) < 2 OR COALESCE(SUM(e.amount_minor), 0) <> 0`,
      [],
    );
    for (const row of unbalanced) problems.push(`transaction ${String(row.seq)} has ${String(row.legs)} legs summing to ${String(row.total)}`);
    const walletLegMismatch = await this.db.all(
      `SELECT t.seq AS seq FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.txn_seq = t.seq AND e.account = 'wallet:' || t.company_id
       GROUP BY t.seq, t.wallet_delta_minor HAVING COALESCE(SUM(e.amount_minor), 0) <> t.wallet_delta_minor`,
      [],
    );
    for (const row of walletLegMismatch) problems.push(`transaction ${String(row.seq)}: wallet leg differs from its recorded delta`);
    const companies = await this.listCompanies();
    for (const company of companies) {
      const sums = await this.db.all(
        "SELECT COALESCE(SUM(amount_minor), 0) AS total FROM ledger_entries WHERE account = ?",
        [`wallet:${company.id}`],
      );
      const ledgerBalance = asNumber(sums[0]?.total);
      if (ledgerBalance !== company.balanceMinor) problems.push(`company ${company.id}: balance ${company.balanceMinor} but ledger sums to ${ledgerBalance}`);
      if (company.balanceMinor < 0) problems.push(`company ${company.id}: negative balance ${company.balanceMinor}`);
      const last = await this.one<LedgerTransactionRow>('SELECT * FROM ledger_transactions WHERE company_id = ? ORDER BY seq DESC LIMIT 1', [company.id]);
      if (last && (last.balanceAfterMinor !== company.balanceMinor || last.seq !== company.lastSeq)) {
        problems.push(`company ${company.id}: last transaction ${last.seq} leaves ${last.balanceAfterMinor}, company row says ${company.balanceMinor} at ${company.lastSeq}`);
      }
    }
    const topUpsWithoutMoney = await this.db.all(
      `SELECT id FROM topups tu WHERE (status IN ('succeeded', 'cancelled') AND NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.kind = 'topup' AND t.reference = tu.id))
       OR (status IN ('pending', 'declined') AND EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.kind = 'topup' AND t.reference = tu.id))
       OR (status = 'cancelled') <> EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.kind = 'reversal' AND t.reference = tu.id)`,
      [],
    );
    for (const row of topUpsWithoutMoney) problems.push(`top-up ${String(row.id)}: status and ledger disagree`);
    const refillsWithoutMoney = await this.db.all(
      `SELECT id FROM refills r WHERE (status = 'succeeded') <> EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.kind = 'auto_refill' AND t.reference = r.id)`,
      [],
    );
    for (const row of refillsWithoutMoney) problems.push(`refill ${String(row.id)}: status and ledger disagree`);
    const chargesWithoutCall = await this.db.all(
      `SELECT t.seq AS seq FROM ledger_transactions t WHERE t.kind = 'call_charge'
       AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.call_id = t.reference AND r.status = 'completed' AND r.charged_minor = -t.wallet_delta_minor)`,
      [],
    );
    for (const row of chargesWithoutCall) problems.push(`charge ${String(row.seq)} has no matching completed call`);
    const counted = await this.db.all('SELECT COUNT(*) AS n FROM ledger_transactions', []);
    return { ok: problems.length === 0, checkedCompanies: companies.length, checkedTransactions: asNumber(counted[0]?.n), problems };
  }

  getUserBudget(userId: string): Promise<UserBudgetRow | null> {
    return this.one('SELECT * FROM user_budgets WHERE user_id = ?', [userId]);
  }

  listUserBudgets(companyId: string): Promise<UserBudgetRow[]> {
    return this.many('SELECT * FROM user_budgets WHERE company_id = ? ORDER BY user_id', [companyId]);
  }

  async setUserBudget(row: UserBudgetRow): Promise<void> {
    await this.db.run(
      `INSERT INTO user_budgets (user_id, company_id, monthly_budget_minor, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET monthly_budget_minor = excluded.monthly_budget_minor, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [row.userId, row.companyId, row.monthlyBudgetMinor, row.updatedBy, row.updatedAt],
    );
  }

  async deleteUserBudget(userId: string): Promise<void> {
    await this.db.run('DELETE FROM user_budgets WHERE user_id = ?', [userId]);
  }

  async sumUserCallChargesSince(userId: string, since: number): Promise<number> {
    const rows = await this.db.all(
      `SELECT COALESCE(SUM(-t.wallet_delta_minor), 0) AS total FROM reservations r
       JOIN ledger_transactions t ON t.kind = 'call_charge' AND t.reference = r.call_id AND t.company_id = r.company_id
       WHERE r.user_id = ? AND r.status = 'completed' AND t.created_at >= ?`,
      [userId, since],
    );
    return asNumber(rows[0]?.total);
  }

  async fundingSnapshot(args: { readonly companyId: string; readonly userId: string; readonly now: number; readonly dayStart: number | null; readonly monthStart: number }): Promise<FundingSnapshot> {
    // Scalar subqueries; the user's two sums run only when they have a budget (CASE evaluates lazily).
    const rows = await this.db.all(
      `SELECT
         (SELECT COALESCE(SUM(reserved_minor), 0) FROM reservations WHERE company_id = ? AND status = 'active' AND expires_at > ?) AS reserved,
         CASE WHEN ? = 1 THEN (SELECT COALESCE(SUM(-wallet_delta_minor), 0) FROM ledger_transactions
           WHERE company_id = ? AND kind = 'call_charge' AND created_at >= ?) ELSE 0 END AS spent_today,
         b.monthly_budget_minor AS budget,
         CASE WHEN b.user_id IS NULL THEN 0 ELSE (SELECT COALESCE(SUM(-t.wallet_delta_minor), 0) FROM reservations r
           JOIN ledger_transactions t ON t.kind = 'call_charge' AND t.reference = r.call_id AND t.company_id = r.company_id
           WHERE r.user_id = ? AND r.status = 'completed' AND t.created_at >= ?) END AS user_spent,
         CASE WHEN b.user_id IS NULL THEN 0 ELSE (SELECT COALESCE(SUM(reserved_minor), 0) FROM reservations
           WHERE user_id = ? AND status = 'active' AND expires_at > ?) END AS user_reserved
       FROM (SELECT 1 AS one) AS base LEFT JOIN user_budgets b ON b.user_id = ?`,
      [
        args.companyId, args.now,
        args.dayStart === null ? 0 : 1, args.companyId, args.dayStart ?? 0,
        args.userId, args.monthStart,
        args.userId, args.now,
        args.userId,
      ],
    );
    const row = rows[0];
    return {
      reservedMinor: asNumber(row?.reserved),
      spentTodayMinor: asNumber(row?.spent_today),
      userBudgetMinor: row?.budget === null || row?.budget === undefined ? null : asNumber(row.budget),
      userSpentThisMonthMinor: asNumber(row?.user_spent),
      userReservedMinor: asNumber(row?.user_reserved),
    };
  }

  async sumUserActiveReservations(userId: string, now: number): Promise<number> {
    const rows = await this.db.all(
      "SELECT COALESCE(SUM(reserved_minor), 0) AS total FROM reservations WHERE user_id = ? AND status = 'active' AND expires_at > ?",
      [userId, now],
    );
    return asNumber(rows[0]?.total);
  }

  getLedgerTransaction(companyId: string, seq: number): Promise<LedgerTransactionRow | null> {
    return this.one('SELECT * FROM ledger_transactions WHERE company_id = ? AND seq = ?', [companyId, seq]);
  }

  async updateUser(userId: string, changes: Partial<Pick<UserRow, 'role' | 'extension' | 'displayName' | 'email' | 'passwordHash' | 'deactivatedAt' | 'removedAt'>>): Promise<void> {
    // undefined leaves a column alone; null clears it (a reactivation, a freed extension).
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    await this.db.run(
      `UPDATE users SET ${entries.map(([name]) => `${snake(name)} = ?`).join(', ')} WHERE id = ?`,
      [...entries.map(([name, value]) => (name === 'email' && typeof value === 'string' ? value.toLowerCase() : value === null ? null : toDb(value))), userId],
    );
  }

  async deleteSessionsOfUser(userId: string, exceptTokenHash?: string): Promise<string[]> {
    const rows = await this.db.all('DELETE FROM sessions WHERE user_id = ? AND token_hash <> ? RETURNING token_hash', [userId, exceptTokenHash ?? '']);
    return rows.map((row) => String(row.token_hash));
  }

  insertPasswordLink(link: PasswordLinkRow): Promise<void> {
    return this.insert('password_links', link);
  }

  consumePasswordLink(tokenHash: string, now: number): Promise<PasswordLinkRow | null> {
    // One statement: two tabs posting the same link cannot both use it.
    return this.one('UPDATE password_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING *', [now, tokenHash, now]);
  }

  getLivePasswordLink(tokenHash: string, now: number): Promise<PasswordLinkRow | null> {
    return this.one('SELECT * FROM password_links WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?', [tokenHash, now]);
  }

  async expirePasswordLinksOf(userId: string, now: number): Promise<void> {
    await this.db.run('UPDATE password_links SET expires_at = ? WHERE user_id = ? AND used_at IS NULL AND expires_at > ?', [now, userId, now]);
  }

  async appendAudit(event: NewAuditEvent): Promise<number> {
    const rows = await this.db.all(
      'INSERT INTO audit_events (company_id, actor_id, actor_label, action, target, details, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq',
      [event.companyId, event.actorId, event.actorLabel, event.action, event.target, event.details, event.createdAt],
    );
    return asNumber(rows[0]?.seq);
  }

  async listAudit(companyId: string | null, beforeSeq: number | null, limit: number): Promise<AuditEventRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (companyId !== null) {
      where.push('company_id = ?');
      params.push(companyId);
    }
    if (beforeSeq !== null) {
      where.push('seq < ?');
      params.push(beforeSeq);
    }
    const rows = await this.many<AuditEventRow>(`SELECT * FROM audit_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`, [...params, limit]);
    return rows.map((row) => ({ ...row, seq: asNumber(row.seq), createdAt: asNumber(row.createdAt) }));
  }

  async setSipRevocation(row: SipRevocationRow): Promise<void> {
    await this.db.run(
      `INSERT INTO sip_revocations (sip_domain, extension, refuse_expiry_upto, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (sip_domain, extension) DO UPDATE SET refuse_expiry_upto = excluded.refuse_expiry_upto, updated_at = excluded.updated_at`,
      [row.sipDomain, row.extension, row.refuseExpiryUpto, row.updatedAt],
    );
  }

  listSipRevocations(nowUnix: number): Promise<SipRevocationRow[]> {
    return this.many('SELECT * FROM sip_revocations WHERE refuse_expiry_upto > ? ORDER BY sip_domain, extension', [nowUnix]);
  }
}
