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
];
