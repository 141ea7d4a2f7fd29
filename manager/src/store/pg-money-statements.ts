import type pg from 'pg';
import { asUnavailable } from './database-unavailable';
import type { CallerFacts, CallerFactsQuery, ChargeArgs, CompletionFacts, ExpectedFunds, MoneyStatements } from './money-statements';
import type { CompanyRow, FundingSnapshot, OutsideCallsRow, ReservationRow, UserRow } from './repository';
import type { SqlRow } from './sql-executor';
import { mapRow, toDbRecord } from './sql-store';

// The functions of migration 10 raise CB001 (a fact changed under the lock) or CB002 (the call id was
// already seen); a serialisation failure or deadlock is the same news: write nothing here, the service's
// locked transaction (which retries those) decides.
const staleCodes = new Set(['CB001', 'CB002', '40001', '40P01']);

// Named statements: each pooled connection parses and plans them once.
const callerFactsSql = `SELECT row_to_json(c) AS company, row_to_json(u) AS caller, row_to_json(o) AS outside,
  s.reserved, s.spent_today, s.budget, s.user_spent, s.user_reserved
FROM companies c
LEFT JOIN users u ON u.company_id = c.id AND u.extension = $2
LEFT JOIN user_outside_calls o ON o.user_id = u.id
LEFT JOIN LATERAL cabine_funding_snapshot(c.id, u.id, $3, CASE WHEN c.daily_cap_minor IS NULL THEN NULL ELSE $4::BIGINT END, $5) s ON u.id IS NOT NULL
WHERE c.sip_domain = $1`;
const reserveSql = 'SELECT cabine_reserve_call($1::JSONB, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)';
const completionFactsSql = `SELECT row_to_json(r) AS reservation, row_to_json(c) AS company, u.extension AS extension
FROM reservations r JOIN companies c ON c.id = r.company_id LEFT JOIN users u ON u.id = r.user_id
WHERE r.call_id = $1`;
const chargeSql = 'SELECT seq, balance_after FROM cabine_charge_call($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)';

function isStale(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && staleCodes.has(code);
}

/** A row that came back through row_to_json: its integers are JSON numbers, checked like the driver's. */
function jsonRow<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  const row = value as SqlRow;
  for (const [key, field] of Object.entries(row)) {
    if (typeof field === 'number' && !Number.isSafeInteger(field)) throw new RangeError(`Integer from PostgreSQL out of safe range in ${key}`);
  }
  return mapRow<T>(row);
}

function snapshotOf(row: SqlRow): FundingSnapshot {
  return {
    reservedMinor: Number(row.reserved ?? 0),
    spentTodayMinor: Number(row.spent_today ?? 0),
    userBudgetMinor: row.budget === null || row.budget === undefined ? null : Number(row.budget),
    userSpentThisMonthMinor: Number(row.user_spent ?? 0),
    userReservedMinor: Number(row.user_reserved ?? 0),
  };
}

/** MoneyStatements on a PostgreSQL pool: each method is one statement, so one round trip (autocommit). */
export class PgMoneyStatements implements MoneyStatements {
  constructor(private readonly pool: pg.Pool) {}

  private async rows(name: string, text: string, values: unknown[]): Promise<SqlRow[]> {
    try {
      return (await this.pool.query({ name, text, values })).rows as SqlRow[];
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  async callerFacts(query: CallerFactsQuery): Promise<CallerFacts | null> {
    const rows = await this.rows('cabine_caller_facts', callerFactsSql, [query.sipDomain, query.extension, query.now, query.dayStart, query.monthStart]);
    const row = rows[0];
    const company = row ? jsonRow<CompanyRow>(row.company) : null;
    if (!row || !company) return null;
    const user = jsonRow<UserRow>(row.caller);
    return { company, user, outsideCalls: jsonRow<OutsideCallsRow>(row.outside), snapshot: user ? snapshotOf(row) : null };
  }

  async reserve(reservation: ReservationRow, expected: ExpectedFunds | null, notify: boolean): Promise<boolean> {
    const snapshot = expected?.snapshot;
    try {
      await this.rows('cabine_reserve', reserveSql, [
        JSON.stringify(toDbRecord(reservation)), expected !== null, expected?.balanceMinor ?? 0, expected?.dailyCapMinor ?? null,
        snapshot?.reservedMinor ?? 0, snapshot?.spentTodayMinor ?? 0, snapshot?.userBudgetMinor ?? null, snapshot?.userSpentThisMonthMinor ?? 0,
        snapshot?.userReservedMinor ?? 0, expected?.dayStart ?? 0, expected?.monthStart ?? 0, notify,
      ]);
      return true;
    } catch (error) {
      if (isStale(error)) return false;
      throw error;
    }
  }

  async completionFacts(callId: string): Promise<CompletionFacts | null> {
    const rows = await this.rows('cabine_completion_facts', completionFactsSql, [callId]);
    const row = rows[0];
    const reservation = row ? jsonRow<ReservationRow>(row.reservation) : null;
    const company = row ? jsonRow<CompanyRow>(row.company) : null;
    if (!row || !reservation || !company) return null;
    return { reservation, company, callerExtension: typeof row.extension === 'string' ? row.extension : null };
  }

  async charge(args: ChargeArgs): Promise<{ seq: number | null; balanceAfterMinor: number } | null> {
    try {
      const rows = await this.rows('cabine_charge', chargeSql, [
        args.callId, args.companyId, args.maxSeconds, args.answeredSeconds, args.billedSeconds, args.costMinor, args.now, args.txnId, args.details,
        args.walletAccount, args.counterAccount, args.notify,
      ]);
      const row = rows[0];
      if (!row) throw new Error('cabine_charge_call returned no row');
      return { seq: row.seq === null || row.seq === undefined ? null : Number(row.seq), balanceAfterMinor: Number(row.balance_after) };
    } catch (error) {
      if (isStale(error)) return null;
      throw error;
    }
  }
}
