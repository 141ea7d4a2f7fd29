/**
 * `npm run bench:manager`: authorize-then-complete throughput and latency through the manager's HTTP API
 * with 1, 8 and 64 concurrent clients, on SQLite and on PostgreSQL, next to the raw rate of the same
 * database doing the equivalent writes (the same two transactions, hand-written SQL, no service in front).
 *
 * PostgreSQL: uses DATABASE_URL's server when CABINE_TEST_DATABASE_URL is set, else starts a throwaway
 * cluster exactly as the tests do (test/manager/support/postgres-cluster.ts). BENCH_SECONDS sets the time
 * per measurement (default 4).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createManager } from '../manager/src/app';
import { loadConfig } from '../manager/src/config';
import { PgRepository } from '../manager/src/store/pg-repository';
import type { Repository } from '../manager/src/store/repository';
import { SqliteRepository } from '../manager/src/store/sqlite-repository';
import { startTestDatabase } from '../test/manager/support/postgres-cluster';
import { closedLoop, percentile, proxyPoster, type Measurement } from './lib/proxy-load';

const seconds = Number(process.env.BENCH_SECONDS ?? '4');
const levels = [1, 8, 64];
const proxySecret = 'bench-proxy-secret-0123456789';


/** Runs `op` from `clients` loops for `seconds`, timing each call. */
const measure = (clients: number, op: (client: number, index: number) => Promise<void>): Promise<Measurement> => closedLoop(clients, seconds, op);

async function serviceRun(env: Record<string, string>, clients: number, runId: string): Promise<Measurement> {
  const config = loadConfig({ CABINE_MANAGER_PORT: '0', CABINE_LOG_LEVEL: 'silent', CABINE_PROXY_SECRET: proxySecret, CABINE_SCRYPT_LOG_N: '12', CABINE_PG_POOL_SIZE: '32', CABINE_SEED_DEMO: 'true', ...env } as NodeJS.ProcessEnv);
  const manager = await createManager(config);
  const base = await manager.app.listen({ host: '127.0.0.1', port: 0 });
  // Enough money, and no daily cap, so that no call is ever refused during the run.
  await manager.context.repository.store.setDailyCap('cmp_demo', null);
  for (let i = 0; i < 30; i += 1) await manager.context.wallet.topUp({ companyId: 'cmp_demo', userId: 'usr_demo_1001', amountMinor: 10000, currency: 'EUR', idempotencyKey: `bench-${runId}-${i}` });
  const { post, close } = proxyPoster(new URL(base), proxySecret, clients);
  const result = await measure(clients, async (client, index) => {
    const callId = `bench-${runId}-${client}-${index}`;
    const authorized = await post('/api/v1/calls/authorize', { callId, callerExtension: '1001', dialed: '+12125550100' });
    if (!authorized.allowed) throw new Error(`call refused during the benchmark: ${authorized.reason ?? '?'}`);
    await post('/api/v1/calls/complete', { callId, answeredSeconds: 60 });
  });
  close();
  const integrity = await manager.context.repository.store.checkIntegrity();
  if (!integrity.ok) throw new Error(`integrity: ${integrity.problems.join('; ')}`);
  await manager.close();
  return result;
}

// The service's two transactions for one call, without the service: reserve, then charge.
const reserveSql = [
  "SELECT balance_minor FROM companies WHERE id = 'cmp_raw'",
  "SELECT COALESCE(SUM(reserved_minor), 0) AS total FROM reservations WHERE company_id = 'cmp_raw' AND status = 'active' AND expires_at > ?",
  "INSERT INTO reservations (call_id, company_id, user_id, dialed, e164, kind, charged, rate_prefix, destination, deck_version, price_per_minute, connection_fee, increment_first, increment_next, max_seconds, reserved_minor, status, created_at, expires_at, updated_at) VALUES (?, 'cmp_raw', 'usr_raw', '+12125550100', '+12125550100', 'international', 1, '1', 'United States', 'raw', 220, 0, 30, 6, 14400, 528, 'active', ?, ?, ?)",
];
const chargeSql = [
  "SELECT balance_minor FROM companies WHERE id = 'cmp_raw'",
  "INSERT INTO ledger_transactions (id, company_id, kind, reference, currency, wallet_delta_minor, balance_after_minor, rate_prefix, deck_version, details, created_at) VALUES (?, 'cmp_raw', 'call_charge', ?, 'EUR', -3, ?, '1', 'raw', NULL, ?) RETURNING seq",
  "INSERT INTO ledger_entries (txn_seq, leg, account, amount_minor, currency) VALUES (?, 0, 'wallet:cmp_raw', -3, 'EUR'), (?, 1, 'revenue:calls', 3, 'EUR')",
  "UPDATE companies SET balance_minor = ?, last_seq = ? WHERE id = 'cmp_raw'",
  "UPDATE reservations SET status = 'completed', answered_seconds = 60, billed_seconds = 60, charged_minor = 3, txn_seq = ?, updated_at = ? WHERE call_id = ?",
];

async function prepareRawCompany(repository: Repository): Promise<void> {
  await repository.transaction(async (tx) => {
    await tx.insertCompany({ id: 'cmp_raw', name: 'Raw', currency: 'EUR', country: 'FR', sipDomain: 'raw.test', balanceMinor: 0, lastSeq: 0, autoRefillEnabled: false, autoRefillThresholdMinor: 500, autoRefillAmountMinor: 2500, autoRefillDeclines: 0, autoRefillDisabledReason: null, dailyCapMinor: null, highRiskAllowed: false, createdAt: Date.now() });
    await tx.insertUser({ id: 'usr_raw', companyId: 'cmp_raw', email: 'raw@raw.test', displayName: 'Raw', role: 'admin', extension: '1001', passwordHash: 'x', premiumBarred: false, createdAt: Date.now() });
    await tx.appendLedgerAndSetBalance({ id: 'txn_raw_fund', companyId: 'cmp_raw', kind: 'topup', reference: 'raw-fund', currency: 'EUR', walletDeltaMinor: 100_000_000, balanceAfterMinor: 100_000_000, ratePrefix: null, deckVersion: null, details: null, createdAt: Date.now(), legs: [{ account: 'wallet:cmp_raw', amountMinor: 100_000_000 }, { account: 'external:card-funding', amountMinor: -100_000_000 }] });
  });
}

async function rawSqlite(path: string): Promise<Measurement> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const reserve = reserveSql.map((sql) => db.prepare(sql));
  const charge = chargeSql.map((sql) => db.prepare(sql));
  const result = await measure(1, (client, index) => {
    const callId = `raw-${client}-${index}`;
    const now = Date.now();
    db.exec('BEGIN IMMEDIATE');
    reserve[0]?.get();
    reserve[1]?.get(now);
    reserve[2]?.run(callId, now, now + 3_600_000, now);
    db.exec('COMMIT');
    db.exec('BEGIN IMMEDIATE');
    const { balance_minor: balance } = charge[0]?.get() as { balance_minor: number };
    const { seq } = charge[1]?.get(`txn_raw_${callId}`, callId, balance - 3, now) as { seq: number };
    charge[2]?.run(seq, seq);
    charge[3]?.run(balance - 3, seq);
    charge[4]?.run(seq, now, callId);
    db.exec('COMMIT');
    return Promise.resolve();
  });
  db.close();
  return result;
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

async function rawPostgres(url: string, clients: number, runId: string): Promise<Measurement> {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  const reserve = reserveSql.map(numbered);
  const charge = chargeSql.map(numbered);
  const result = await measure(clients, async (client, index) => {
    const callId = `raw-${runId}-${client}-${index}`;
    const now = Date.now();
    const connection = await pool.connect();
    try {
      await connection.query('BEGIN');
      await connection.query(`${reserve[0] ?? ''} FOR UPDATE`);
      await connection.query(reserve[1] ?? '', [now]);
      await connection.query(reserve[2] ?? '', [callId, now, now + 3_600_000, now]);
      await connection.query('COMMIT');
      await connection.query('BEGIN');
      const balance = Number((await connection.query(`${charge[0] ?? ''} FOR UPDATE`)).rows[0].balance_minor);
      const seq = Number((await connection.query(charge[1] ?? '', [`txn_raw_${callId}`, callId, balance - 3, now])).rows[0].seq);
      await connection.query(charge[2] ?? '', [seq, seq]);
      await connection.query(charge[3] ?? '', [balance - 3, seq]);
      await connection.query(charge[4] ?? '', [seq, now, callId]);
      await connection.query('COMMIT');
    } finally {
      connection.release();
    }
  });
  await pool.end();
  return result;
}

interface Row {
  backend: string;
  clients: number;
  service: Measurement;
  raw: Measurement;
}

function printTable(rows: readonly Row[]): void {
  const header = ['backend', 'clients', 'service calls/s', 'p50 ms', 'p99 ms', 'raw DB calls/s', 'raw p50 ms', 'service/raw'];
  const lines = rows.map((row) => {
    const serviceRate = row.service.ops / row.service.seconds;
    const rawRate = row.raw.ops / row.raw.seconds;
    return [row.backend, String(row.clients), serviceRate.toFixed(0), percentile(row.service.latenciesMs, 50).toFixed(2), percentile(row.service.latenciesMs, 99).toFixed(2), rawRate.toFixed(0), percentile(row.raw.latenciesMs, 50).toFixed(2), `${((serviceRate / rawRate) * 100).toFixed(0)}%`];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)));
  const format = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
  console.log('One "call" = POST /calls/authorize + POST /calls/complete (two money transactions); raw = the same two transactions in SQL.');
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'cabine-bench-'));
  const database = await startTestDatabase();
  try {
    // Raw SQLite: one connection, as the service has one; its rate does not depend on client count.
    const rawDbPath = join(dir, 'raw.db');
    const rawRepo = await SqliteRepository.open(rawDbPath);
    await prepareRawCompany(rawRepo);
    await rawRepo.close();
    const rawSqliteResult = await rawSqlite(rawDbPath);
    for (const clients of levels) {
      const service = await serviceRun({ CABINE_MANAGER_DATA_DIR: join(dir, `sqlite-${clients}`) }, clients, `s${clients}`);
      rows.push({ backend: 'sqlite', clients, service, raw: rawSqliteResult });
    }
    const rawPgUrl = await database.newDatabase();
    const rawPgRepo = await PgRepository.open(rawPgUrl, { poolSize: 2 });
    await prepareRawCompany(rawPgRepo);
    await rawPgRepo.close();
    for (const clients of levels) {
      const service = await serviceRun({ DATABASE_URL: await database.newDatabase() }, clients, `p${clients}`);
      const raw = await rawPostgres(rawPgUrl, clients, `p${clients}`);
      rows.push({ backend: 'postgres', clients, service, raw });
    }
  } finally {
    await database.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
