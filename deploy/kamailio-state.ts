/**
 * What Kamailio keeps across a restart or a crash, in SQLite files of its run dir (db_sqlite, from
 * `kamailio-sqlite-modules`):
 *   - `dialogs.sqlite`: the dialog module's `dialog` and `dialog_vars` tables (`db_mode` 1, realtime): every
 *     answered call with its timer (the cap), its flags (BYE both sides at the cap) and its `$dlg_var`s
 *     (billing id, maximum, answer time, which side speaks WebRTC). Kamailio reloads them at start-up.
 *   - `billing.sqlite`: `billq`, the charging reports not yet confirmed by the manager, written by
 *     route[BILLING_QUEUE] (sqlops) before the report is sent and deleted once the manager confirmed it;
 *     the htable `billq` loads it at start-up and route[BILLING_RETRY] delivers what it finds.
 * Both files are created here when missing and never emptied: a restart renders the config again and must
 * find what the previous process left. WAL journal mode (a property of the file, kept once set): a commit is
 * one append to the log, readers do not block the writer, and a SIGKILL loses no committed row.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Paths of the state files in a run dir. */
export interface KamailioStateFiles {
  readonly dialogs: string;
  readonly billing: string;
}

export const kamailioStateFiles = (runDir: string): KamailioStateFiles => ({
  dialogs: join(runDir, 'state', 'dialogs.sqlite'),
  billing: join(runDir, 'state', 'billing.sqlite'),
});

/**
 * The `version` table every Kamailio database module checks (db_check_table_version) before it uses a
 * table: one row per table with the schema version the module was built for.
 */
const versionTable = `
CREATE TABLE IF NOT EXISTS version (
  id INTEGER PRIMARY KEY NOT NULL,
  table_name VARCHAR(32) NOT NULL UNIQUE,
  table_version INTEGER DEFAULT 0 NOT NULL
);`;

/**
 * The dialog module's tables, Kamailio 5.6 (README.dialog, "db_url" and the *_column parameters; table
 * versions: dialog 7, dialog_vars 1). timeout is the absolute Unix time at which the dialog expires; the
 * module reloads each row at start-up with the time left and with iflags (BYE both sides on timeout).
 */
const dialogSchema = `
CREATE TABLE IF NOT EXISTS dialog (
  id INTEGER PRIMARY KEY NOT NULL,
  hash_entry INTEGER NOT NULL,
  hash_id INTEGER NOT NULL,
  callid VARCHAR(255) NOT NULL,
  from_uri VARCHAR(255) NOT NULL,
  from_tag VARCHAR(128) NOT NULL,
  to_uri VARCHAR(255) NOT NULL,
  to_tag VARCHAR(128) NOT NULL,
  caller_cseq VARCHAR(20) NOT NULL,
  callee_cseq VARCHAR(20) NOT NULL,
  caller_route_set VARCHAR(512),
  callee_route_set VARCHAR(512),
  caller_contact VARCHAR(255) NOT NULL,
  callee_contact VARCHAR(255) NOT NULL,
  caller_sock VARCHAR(64) NOT NULL,
  callee_sock VARCHAR(64) NOT NULL,
  state INTEGER NOT NULL,
  start_time INTEGER NOT NULL,
  timeout INTEGER DEFAULT 0 NOT NULL,
  sflags INTEGER DEFAULT 0 NOT NULL,
  iflags INTEGER DEFAULT 0 NOT NULL,
  toroute_name VARCHAR(32),
  req_uri VARCHAR(255) NOT NULL,
  xdata VARCHAR(512)
);
CREATE INDEX IF NOT EXISTS dialog_hash ON dialog (hash_entry, hash_id);
CREATE TABLE IF NOT EXISTS dialog_vars (
  id INTEGER PRIMARY KEY NOT NULL,
  hash_entry INTEGER NOT NULL,
  hash_id INTEGER NOT NULL,
  dialog_key VARCHAR(128) NOT NULL,
  dialog_value VARCHAR(512) NOT NULL
);
CREATE INDEX IF NOT EXISTS dialog_vars_hash ON dialog_vars (hash_entry, hash_id);
INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('version', 1), ('dialog', 7), ('dialog_vars', 1);`;

/**
 * The charging queue, in the columns the htable module loads a table from (README.htable "dbtable"; table
 * version 2): key_name = billing id, key_value = "complete:<seconds>" or "release" (value_type 0: string).
 * The unique key_name is how "the first report for a call wins": route[BILLING_QUEUE] inserts with
 * INSERT OR IGNORE and sends only what it inserted.
 */
const billingSchema = `
CREATE TABLE IF NOT EXISTS billq (
  id INTEGER PRIMARY KEY NOT NULL,
  key_name VARCHAR(255) NOT NULL UNIQUE,
  key_type INTEGER DEFAULT 0 NOT NULL,
  value_type INTEGER DEFAULT 0 NOT NULL,
  key_value VARCHAR(128) DEFAULT '' NOT NULL,
  expires INTEGER DEFAULT 0 NOT NULL
);
INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('version', 1), ('billq', 2);`;

/** The dialog module's default_timeout in kamailio.cfg: the lifetime of calls without a cap. */
const uncappedDialogSeconds = 43_200;

/**
 * Kamailio 5.6 stores an answered dialog before it starts the dialog's timer (dlg_onreply), so until the next
 * write (the ACK, normally milliseconds later) the row's timeout is a time in the past, and a dialog
 * reloaded from such a row expires at once: a crash right after an answer would cut the call. Before each
 * start the expiry is recomputed from what is certain: for a paid call the answer time plus its cap in force
 * (both dialog variables, max_seconds kept up to date by every extension), the answer rounded up to its
 * second (answer_s alone would cut the caller up to 1 s before the seconds he is charged); for other calls, a timeout
 * earlier than the answer is replaced by the answer plus the uncapped lifetime.
 */
const repairDialogTimeouts = `
UPDATE dialog SET timeout = (
  SELECT CAST(a.dialog_value AS INTEGER) + CAST(m.dialog_value AS INTEGER) + COALESCE((
    SELECT CASE WHEN CAST(u.dialog_value AS INTEGER) > 0 THEN 1 ELSE 0 END FROM dialog_vars u
    WHERE u.hash_entry = dialog.hash_entry AND u.hash_id = dialog.hash_id AND u.dialog_key = 'answer_us'), 0)
  FROM dialog_vars a JOIN dialog_vars m ON m.hash_entry = a.hash_entry AND m.hash_id = a.hash_id
  WHERE a.hash_entry = dialog.hash_entry AND a.hash_id = dialog.hash_id
    AND a.dialog_key = 'answer_s' AND m.dialog_key = 'max_seconds')
WHERE EXISTS (
  SELECT 1 FROM dialog_vars a JOIN dialog_vars m ON m.hash_entry = a.hash_entry AND m.hash_id = a.hash_id
  WHERE a.hash_entry = dialog.hash_entry AND a.hash_id = dialog.hash_id
    AND a.dialog_key = 'answer_s' AND m.dialog_key = 'max_seconds');
UPDATE dialog SET timeout = start_time + ${uncappedDialogSeconds} WHERE timeout < start_time;`;

function ensureDatabase(path: string, schema: string): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(versionTable + schema);
  } finally {
    db.close();
  }
}

/**
 * Creates the state files and their tables when missing; keeps every row that is there (dialogs of calls in
 * progress, undelivered charging reports) and repairs the dialogs' expiry times. Call it before every start
 * of Kamailio, never while it runs.
 */
export async function ensureKamailioState(runDir: string): Promise<KamailioStateFiles> {
  const files = kamailioStateFiles(runDir);
  await mkdir(join(runDir, 'state'), { recursive: true, mode: 0o700 });
  ensureDatabase(files.dialogs, dialogSchema + repairDialogTimeouts);
  ensureDatabase(files.billing, billingSchema);
  return files;
}

/**
 * Lines for `cabine-local.cfg`: the database URLs of the state files. db_sqlite takes what follows
 * `sqlite:///` as the path, so an absolute path needs a fourth slash (`sqlite:///` + `/tmp/...`); with three
 * it opens the path relative to the working directory.
 */
export function kamailioStateDefines(runDir: string): string[] {
  const files = kamailioStateFiles(runDir);
  return [
    `#!substdef "!CABINE_DIALOG_DB!sqlite:///${files.dialogs}!g"`,
    `#!substdef "!CABINE_BILLING_DB!sqlite:///${files.billing}!g"`,
  ];
}
