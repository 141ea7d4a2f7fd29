/**
 * Versioned schema migrations, one list per dialect, applied in order inside a transaction and recorded in
 * `schema_migrations`. Never edit a shipped migration: add the next one. The two dialects describe the same
 * tables; differences are only the auto-increment key, the trigger syntax and the `BIGINT` spelling.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

// Column lists shared by both dialects. Money is BIGINT minor units; times are epoch milliseconds.
function coreTables(seqColumn: string): string {
  return `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE companies (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  country TEXT NOT NULL,
  sip_domain TEXT NOT NULL UNIQUE,
  balance_minor BIGINT NOT NULL DEFAULT 0 CHECK (balance_minor >= 0),
  last_seq BIGINT NOT NULL DEFAULT 0,
  auto_refill_enabled INTEGER NOT NULL DEFAULT 0,
  auto_refill_threshold_minor BIGINT NOT NULL DEFAULT 500 CHECK (auto_refill_threshold_minor > 0),
  auto_refill_amount_minor BIGINT NOT NULL DEFAULT 2500 CHECK (auto_refill_amount_minor > 0),
  auto_refill_declines INTEGER NOT NULL DEFAULT 0,
  auto_refill_disabled_reason TEXT,
  daily_cap_minor BIGINT CHECK (daily_cap_minor IS NULL OR daily_cap_minor > 0),
  created_at BIGINT NOT NULL
);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  company_id TEXT REFERENCES companies(id),
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'employee', 'operator')),
  extension TEXT,
  password_hash TEXT NOT NULL,
  premium_barred INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE (company_id, extension),
  CHECK ((role = 'operator') = (company_id IS NULL))
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('app', 'web')),
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE handoff_codes (
  code_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  next_path TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE TABLE sign_in_attempts (key TEXT PRIMARY KEY, window_start BIGINT NOT NULL, failures INTEGER NOT NULL);
CREATE TABLE cards (
  company_id TEXT PRIMARY KEY REFERENCES companies(id),
  provider_token TEXT NOT NULL,
  brand TEXT NOT NULL,
  last4 TEXT NOT NULL,
  exp_month INTEGER NOT NULL,
  exp_year INTEGER NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE ledger_transactions (
  seq ${seqColumn},
  id TEXT NOT NULL UNIQUE,
  company_id TEXT NOT NULL REFERENCES companies(id),
  kind TEXT NOT NULL CHECK (kind IN ('topup', 'auto_refill', 'call_charge', 'reversal')),
  reference TEXT NOT NULL,
  currency TEXT NOT NULL,
  wallet_delta_minor BIGINT NOT NULL,
  balance_after_minor BIGINT NOT NULL CHECK (balance_after_minor >= 0),
  rate_prefix TEXT,
  deck_version TEXT,
  details TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (company_id, kind, reference)
);
CREATE INDEX ledger_transactions_company ON ledger_transactions (company_id, seq);
CREATE INDEX ledger_transactions_kind_time ON ledger_transactions (company_id, kind, created_at);
CREATE TABLE ledger_entries (
  txn_seq BIGINT NOT NULL REFERENCES ledger_transactions(seq),
  leg INTEGER NOT NULL,
  account TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  PRIMARY KEY (txn_seq, leg)
);
CREATE INDEX ledger_entries_account ON ledger_entries (account);
CREATE TABLE topups (
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies(id),
  user_id TEXT REFERENCES users(id),
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'declined', 'cancelled')),
  decline_code TEXT,
  provider_reference TEXT,
  card_last4 TEXT,
  receipt_number TEXT UNIQUE,
  txn_seq BIGINT,
  response_status INTEGER,
  response_body TEXT,
  cancel_txn_seq BIGINT,
  cancel_reason TEXT,
  refund_status TEXT CHECK (refund_status IS NULL OR refund_status IN ('pending', 'refunded')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  cancelled_at BIGINT,
  UNIQUE (company_id, idempotency_key)
);
CREATE INDEX topups_status ON topups (status, created_at);
CREATE TABLE refills (
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies(id),
  trigger_txn_seq BIGINT NOT NULL UNIQUE,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'declined', 'skipped_limit')),
  decline_code TEXT,
  provider_reference TEXT,
  txn_seq BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX refills_company_time ON refills (company_id, created_at);
CREATE INDEX refills_status ON refills (status);
CREATE TABLE reservations (
  call_id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  dialed TEXT NOT NULL,
  e164 TEXT NOT NULL,
  kind TEXT NOT NULL,
  charged INTEGER NOT NULL,
  rate_prefix TEXT NOT NULL,
  destination TEXT NOT NULL,
  deck_version TEXT NOT NULL,
  price_per_minute BIGINT NOT NULL,
  connection_fee BIGINT NOT NULL,
  increment_first INTEGER NOT NULL,
  increment_next INTEGER NOT NULL,
  max_seconds INTEGER NOT NULL,
  reserved_minor BIGINT NOT NULL CHECK (reserved_minor >= 0),
  status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'released')),
  answered_seconds INTEGER,
  billed_seconds INTEGER,
  charged_minor BIGINT,
  txn_seq BIGINT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX reservations_active ON reservations (company_id, status, expires_at);
CREATE TABLE notifications (
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies(id),
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX notifications_company ON notifications (company_id, created_at);
`;
}

// Version 2: high-risk destination classes (satellite, international networks) are blocked per company until
// an admin allows them; existing companies start blocked too, like new ones.
const highRiskSwitch = `ALTER TABLE companies ADD COLUMN high_risk_allowed INTEGER NOT NULL DEFAULT 0 CHECK (high_risk_allowed IN (0, 1));
`;

// Version 3: one row per call id the proxy named, by authorize or by release, whichever came first. Its
// primary key is what serialises the two for one call (docs/call-and-money-path.md, "A call id's life"):
// PostgreSQL makes a second INSERT of the same key wait for the first transaction, so a release racing an
// authorize either finds its reservation or leaves a tombstone (released_at, no reservation) the authorize
// then sees. refusal replays a money refusal (insufficient_funds, daily_cap) to a repeated authorize.
// Existing reservations get their row, so a late release or repeat behaves the same for them.
const callAttempts = `CREATE TABLE call_attempts (
  call_id TEXT PRIMARY KEY,
  released_at BIGINT,
  refusal TEXT,
  created_at BIGINT NOT NULL
);
INSERT INTO call_attempts (call_id, released_at, created_at)
  SELECT call_id, CASE WHEN status = 'released' THEN updated_at END, created_at FROM reservations;
`;

// Version 4: how far each user's outside calls may go (shared/billing/barring.ts). No row: scope 'all', as
// before. countries holds sorted ISO 3166-1 alpha-2 codes joined by commas, and only with scope 'countries'.
const outsideCalls = `CREATE TABLE user_outside_calls (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  scope TEXT NOT NULL CHECK (scope IN ('plan', 'countries', 'all')),
  countries TEXT NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL,
  CHECK ((scope = 'countries') = (countries <> ''))
);
`;

// Version 5: a company without a daily cap gets the default one (shared/billing/daily-cap.ts, about 50 EUR a
// day; values frozen here as shipped). Until now no company had been offered one, so "none" was never a
// choice; an admin who wants no cap removes it again on the Settings page.
const defaultDailyCap = `UPDATE companies SET daily_cap_minor = CASE currency
  WHEN 'CAD' THEN 7500 WHEN 'DKK' THEN 40000 WHEN 'SEK' THEN 60000 WHEN 'NOK' THEN 60000 WHEN 'PLN' THEN 20000 WHEN 'JPY' THEN 8000
  ELSE 5000 END
WHERE daily_cap_minor IS NULL;
`;

// Version 6: automatic refill watches the funds available (balance minus reservations), not only debits
// (docs/money-flow.md, "Automatic refill"). A refill may now start without a ledger debit (a reservation, a
// call's extension, the admin's settings, a scheduled retry), so trigger_txn_seq may be null and `cause`
// says what started it (existing rows were all started by a debit). At most one refill per company is in
// flight: the partial unique index makes it a database fact, beside the company lock that already
// serialises them (rows from before, all 'debit', are left out of it so an upgrade cannot fail on them).
// companies.auto_refill_retry_at is the durable schedule of the next attempt after a decline or the daily
// limit, so a restart loses no retry. notifications.params carries the values of a notification's message,
// so each reader can show it in its own language (message stays as the English text).
const refillTriggerColumns = `ALTER TABLE refills ADD COLUMN cause TEXT NOT NULL DEFAULT 'debit' CHECK (cause IN ('debit', 'charge', 'reservation', 'extension', 'settings', 'retry', 'refill'));
ALTER TABLE refills ADD COLUMN cause_reference TEXT;
ALTER TABLE refills ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1);
CREATE UNIQUE INDEX refills_one_in_flight ON refills (company_id) WHERE status = 'pending' AND cause <> 'debit';
ALTER TABLE companies ADD COLUMN auto_refill_retry_at BIGINT;
ALTER TABLE notifications ADD COLUMN params TEXT;
`;
// SQLite cannot drop a NOT NULL: the table is rebuilt with trigger_txn_seq nullable (still UNIQUE).
const refillTriggersSqlite = `CREATE TABLE refills_v6 (
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies(id),
  trigger_txn_seq BIGINT UNIQUE,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'declined', 'skipped_limit')),
  decline_code TEXT,
  provider_reference TEXT,
  txn_seq BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
INSERT INTO refills_v6 (id, company_id, trigger_txn_seq, amount_minor, currency, status, decline_code, provider_reference, txn_seq, created_at, updated_at)
  SELECT id, company_id, trigger_txn_seq, amount_minor, currency, status, decline_code, provider_reference, txn_seq, created_at, updated_at FROM refills;
DROP TABLE refills;
ALTER TABLE refills_v6 RENAME TO refills;
CREATE INDEX refills_company_time ON refills (company_id, created_at);
CREATE INDEX refills_status ON refills (status);
${refillTriggerColumns}`;
const refillTriggersPostgres = `ALTER TABLE refills ALTER COLUMN trigger_txn_seq DROP NOT NULL;
${refillTriggerColumns}`;

// Version 7: per-employee monthly budgets (docs/money-flow.md, "Monthly budgets"). One row per user with a
// budget; the month's spend is read from the ledger's call charges joined to their reservations, so the
// reservations get an index by user for that sum and for the user's calls in progress.
const userBudgets = `CREATE TABLE user_budgets (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  company_id TEXT NOT NULL REFERENCES companies(id),
  monthly_budget_minor BIGINT NOT NULL CHECK (monthly_budget_minor > 0),
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX user_budgets_company ON user_budgets (company_id);
CREATE INDEX reservations_user ON reservations (user_id, status);
`;

// Version 8: people and the audit trail (docs/manager.md, "Onboarding and people"). A user can be
// deactivated (signs in nowhere, SIP credentials revoked at the proxy) and removed (kept for the history of
// calls and top-ups, but its email and extension are freed). One-time password links (welcome and reset) are
// stored hashed like sessions. The audit trail is append-only, as the ledger is. sip_revocations: the proxy
// refuses SIP credentials of <extension>@<domain> whose expiry is at most refuse_expiry_upto (unix seconds;
// 2^31-1 while the user is deactivated, so every credential), the list Kamailio rebuilds at start.
function peopleAndAudit(seqColumn: string): string {
  return `ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
ALTER TABLE users ADD COLUMN removed_at BIGINT;
CREATE TABLE password_links (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL CHECK (purpose IN ('welcome', 'reset')),
  created_by TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX password_links_user ON password_links (user_id);
CREATE TABLE audit_events (
  seq ${seqColumn},
  company_id TEXT,
  actor_id TEXT,
  actor_label TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  details TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX audit_events_company ON audit_events (company_id, seq);
CREATE TABLE sip_revocations (
  sip_domain TEXT NOT NULL,
  extension TEXT NOT NULL,
  refuse_expiry_upto BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (sip_domain, extension)
);
`;
}
const auditAppendOnlySqlite = `CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
`;
const auditAppendOnlyPostgres = `CREATE FUNCTION cabine_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit trail is append-only'; END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION cabine_audit_append_only();
`;

/** SQLite migrations. */
/**
 * Migration 9: company numbers and ring groups, the same SQL for SQLite and
 * PostgreSQL. `company_numbers.e164` is the primary key, so a number belongs to one company of the whole
 * stack at most: two companies can never both be rung by, or present, the same number. A partial unique
 * index keeps one main number per company.
 */
const companyNumbersSql = `
CREATE TABLE ring_groups (
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies(id),
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (company_id, name)
);
CREATE TABLE ring_group_members (
  group_id TEXT NOT NULL REFERENCES ring_groups(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  PRIMARY KEY (group_id, user_id)
);
CREATE TABLE company_numbers (
  e164 TEXT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  company_id TEXT NOT NULL REFERENCES companies(id),
  label TEXT,
  target_user_id TEXT REFERENCES users(id),
  target_group_id TEXT REFERENCES ring_groups(id),
  is_main INTEGER NOT NULL DEFAULT 0 CHECK (is_main IN (0, 1)),
  created_at BIGINT NOT NULL,
  CHECK (target_user_id IS NULL OR target_group_id IS NULL)
);
CREATE INDEX company_numbers_company ON company_numbers (company_id);
CREATE INDEX company_numbers_user ON company_numbers (target_user_id);
CREATE UNIQUE INDEX company_numbers_one_main ON company_numbers (company_id) WHERE is_main = 1;
`;

// Version 10 (PostgreSQL only): the money statements of docs/manager.md, "Scale". A call's authorize and
// complete each write in ONE round trip: a function that takes the company lock, checks that the facts
// the service decided on (shared/billing/call-policy.ts, in TypeScript) still hold under it, and writes.
// It decides nothing itself: when a fact changed (another call of the company got in between) or the call
// id was already seen, it raises CB001 or CB002, rolls everything back, and the service runs its locked
// transaction instead (manager/src/wallet/call-charging.ts). cabine_funding_snapshot is the portable
// SqlStore.fundingSnapshot text as a function, so the check reads the same sums; test/manager/
// money-statements.test.ts proves the two agree.
const moneyStatementsPostgres = `CREATE FUNCTION cabine_funding_snapshot(p_company TEXT, p_user TEXT, p_now BIGINT, p_day_start BIGINT, p_month_start BIGINT)
RETURNS TABLE (reserved BIGINT, spent_today BIGINT, budget BIGINT, user_spent BIGINT, user_reserved BIGINT) LANGUAGE sql STABLE AS $$
  SELECT
    (SELECT COALESCE(SUM(reserved_minor), 0) FROM reservations WHERE company_id = p_company AND status = 'active' AND expires_at > p_now)::BIGINT,
    CASE WHEN p_day_start IS NOT NULL THEN (SELECT COALESCE(SUM(-wallet_delta_minor), 0) FROM ledger_transactions
      WHERE company_id = p_company AND kind = 'call_charge' AND created_at >= p_day_start) ELSE 0 END::BIGINT,
    b.monthly_budget_minor,
    CASE WHEN b.user_id IS NULL THEN 0 ELSE (SELECT COALESCE(SUM(-t.wallet_delta_minor), 0) FROM reservations r
      JOIN ledger_transactions t ON t.kind = 'call_charge' AND t.reference = r.call_id AND t.company_id = r.company_id
      WHERE r.user_id = p_user AND r.status = 'completed' AND t.created_at >= p_month_start) END::BIGINT,
    CASE WHEN b.user_id IS NULL THEN 0 ELSE (SELECT COALESCE(SUM(reserved_minor), 0) FROM reservations
      WHERE user_id = p_user AND status = 'active' AND expires_at > p_now) END::BIGINT
  FROM (SELECT 1 AS one) AS base LEFT JOIN user_budgets b ON b.user_id = p_user
$$;

-- Authorize: the call id's key row first, then the company lock (releaseCall's order), then the funding
-- facts re-read under the lock and compared with the ones the reservation was computed from.
CREATE FUNCTION cabine_reserve_call(p_row JSONB, p_check_funds BOOLEAN, p_balance BIGINT, p_daily_cap BIGINT,
  p_reserved BIGINT, p_spent_today BIGINT, p_budget BIGINT, p_user_spent BIGINT, p_user_reserved BIGINT,
  p_day_start BIGINT, p_month_start BIGINT, p_notify BOOLEAN) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
  r reservations;
  c companies;
  f RECORD;
BEGIN
  r := jsonb_populate_record(NULL::reservations, p_row);
  INSERT INTO call_attempts (call_id, created_at) VALUES (r.call_id, r.created_at) ON CONFLICT (call_id) DO NOTHING;
  IF NOT FOUND THEN RAISE EXCEPTION 'call id % already seen', r.call_id USING ERRCODE = 'CB002'; END IF;
  SELECT * INTO c FROM companies WHERE id = r.company_id FOR UPDATE;
  IF NOT FOUND THEN RAISE EXCEPTION 'no company %', r.company_id USING ERRCODE = 'CB001'; END IF;
  IF p_check_funds THEN
    IF c.balance_minor <> p_balance OR c.daily_cap_minor IS DISTINCT FROM p_daily_cap OR c.auto_refill_enabled <> 0 THEN
      RAISE EXCEPTION 'company % changed', r.company_id USING ERRCODE = 'CB001';
    END IF;
    SELECT * INTO f FROM cabine_funding_snapshot(r.company_id, r.user_id, r.created_at,
      CASE WHEN c.daily_cap_minor IS NULL THEN NULL ELSE p_day_start END, p_month_start);
    IF f.reserved <> p_reserved OR f.spent_today <> p_spent_today OR f.budget IS DISTINCT FROM p_budget
      OR f.user_spent <> p_user_spent OR f.user_reserved <> p_user_reserved THEN
      RAISE EXCEPTION 'funds of company % changed', r.company_id USING ERRCODE = 'CB001';
    END IF;
  END IF;
  INSERT INTO reservations SELECT (r).*;
  IF p_notify THEN PERFORM pg_notify('cabine_wallet', r.company_id); END IF;
END $$;

-- Complete: the company lock, the reservation re-read under it (still active, same maximum), then the
-- charge (a balanced two-leg transaction, the cached balance, the reservation) and the notification.
CREATE FUNCTION cabine_charge_call(p_call_id TEXT, p_company TEXT, p_max_seconds INTEGER, p_answered INTEGER,
  p_billed INTEGER, p_cost BIGINT, p_now BIGINT, p_txn_id TEXT, p_details TEXT, p_wallet_account TEXT,
  p_counter_account TEXT, p_notify BOOLEAN) RETURNS TABLE (seq BIGINT, balance_after BIGINT) LANGUAGE plpgsql AS $$
DECLARE
  r reservations;
  c companies;
  v_seq BIGINT := NULL;
  v_balance BIGINT;
BEGIN
  SELECT * INTO c FROM companies WHERE id = p_company FOR UPDATE;
  IF NOT FOUND THEN RAISE EXCEPTION 'no company %', p_company USING ERRCODE = 'CB001'; END IF;
  SELECT * INTO r FROM reservations WHERE call_id = p_call_id AND company_id = p_company;
  IF NOT FOUND OR r.status <> 'active' OR r.max_seconds <> p_max_seconds THEN
    RAISE EXCEPTION 'call % changed', p_call_id USING ERRCODE = 'CB001';
  END IF;
  v_balance := c.balance_minor;
  IF p_cost > 0 THEN
    IF c.balance_minor < p_cost OR c.auto_refill_enabled <> 0 THEN
      RAISE EXCEPTION 'company % changed', p_company USING ERRCODE = 'CB001';
    END IF;
    v_balance := c.balance_minor - p_cost;
    INSERT INTO ledger_transactions (id, company_id, kind, reference, currency, wallet_delta_minor, balance_after_minor, rate_prefix, deck_version, details, created_at)
      VALUES (p_txn_id, p_company, 'call_charge', p_call_id, c.currency, -p_cost, v_balance, r.rate_prefix, r.deck_version, p_details, p_now)
      RETURNING ledger_transactions.seq INTO v_seq;
    INSERT INTO ledger_entries (txn_seq, leg, account, amount_minor, currency)
      VALUES (v_seq, 0, p_wallet_account, -p_cost, c.currency), (v_seq, 1, p_counter_account, p_cost, c.currency);
    UPDATE companies SET balance_minor = v_balance, last_seq = v_seq WHERE id = p_company;
  END IF;
  UPDATE reservations SET status = 'completed', answered_seconds = p_answered, billed_seconds = p_billed, charged_minor = p_cost,
    txn_seq = v_seq, updated_at = p_now WHERE call_id = p_call_id;
  IF p_cost > 0 OR p_notify THEN PERFORM pg_notify('cabine_wallet', p_company); END IF;
  RETURN QUERY SELECT v_seq, v_balance;
END $$;
`;

export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'core schema',
    sql: `${coreTables('INTEGER PRIMARY KEY AUTOINCREMENT')}
-- The ledger is append-only (house style 10): corrections are new transactions, never edits.
CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
`,
  },
  { version: 2, name: 'high-risk destinations switch', sql: highRiskSwitch },
  { version: 3, name: 'call attempts and release tombstones', sql: callAttempts },
  { version: 4, name: 'outside-call scope per user', sql: outsideCalls },
  { version: 5, name: 'default daily cap for companies without one', sql: defaultDailyCap },
  { version: 6, name: 'refills on available funds, retry schedule, notification parameters', sql: refillTriggersSqlite },
  { version: 7, name: 'monthly budgets per user', sql: userBudgets },
  { version: 8, name: 'people: deactivation, removal, password links; audit trail', sql: `${peopleAndAudit('INTEGER PRIMARY KEY AUTOINCREMENT')}${auditAppendOnlySqlite}` },
  { version: 9, name: 'company numbers and ring groups', sql: companyNumbersSql },
  // PostgreSQL only (SQLite runs in the process: its statements cost no round trip); kept so both lists number alike.
  { version: 10, name: 'one-statement money writes', sql: '-- nothing on SQLite' },
];

/** PostgreSQL migrations. */
export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'core schema',
    sql: `${coreTables('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY')}
CREATE FUNCTION cabine_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'ledger is append-only'; END $$;
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions FOR EACH ROW EXECUTE FUNCTION cabine_ledger_append_only();
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION cabine_ledger_append_only();
`,
  },
  { version: 2, name: 'high-risk destinations switch', sql: highRiskSwitch },
  { version: 3, name: 'call attempts and release tombstones', sql: callAttempts },
  { version: 4, name: 'outside-call scope per user', sql: outsideCalls },
  { version: 5, name: 'default daily cap for companies without one', sql: defaultDailyCap },
  { version: 6, name: 'refills on available funds, retry schedule, notification parameters', sql: refillTriggersPostgres },
  { version: 7, name: 'monthly budgets per user', sql: userBudgets },
  { version: 8, name: 'people: deactivation, removal, password links; audit trail', sql: `${peopleAndAudit('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY')}${auditAppendOnlyPostgres}` },
  { version: 9, name: 'company numbers and ring groups', sql: companyNumbersSql },
  { version: 10, name: 'one-statement money writes', sql: moneyStatementsPostgres },
];
