/**
 * `npm run bench:manager-scale`: the manager on PostgreSQL with many companies, as a shared deployment
 * runs it. 1,000 companies and 10,000 users (BENCH_COMPANIES, 10 users each); 64 clients (BENCH_CLIENTS)
 * each place calls (POST /calls/authorize, then /calls/complete) for a random user of a random company,
 * for BENCH_SECONDS (default 8). Next to it, in the same run and on the same server: the raw rate of the
 * same two money transactions written by hand in SQL, spread over the same number of companies, from the
 * same number of clients. Targets (issue 11): p99 ≤ 25 ms, and ≥ 50 % of the raw rate.
 *
 * Two phases, because a closed loop cannot show both: 64 clients that each start the next call as soon as
 * the last one ends measure the saturation rate, and their latency is only 64 / rate (Little's law). So the
 * latency target is measured open-loop: the same 64 clients offered, together, half the raw saturation rate
 * (the throughput target), each call timed from when it was due (no coordinated omission).
 */
import pg from 'pg';
import { createManager } from '../manager/src/app';
import { loadConfig } from '../manager/src/config';
import { PgRepository } from '../manager/src/store/pg-repository';
import type { Repository } from '../manager/src/store/repository';
import { prng } from '../test/manager/support/load-scenario';
import { startTestDatabase } from '../test/manager/support/postgres-cluster';
import { closedLoop, percentile, proxyPoster, type Measurement } from './lib/proxy-load';

const companies = Number(process.env.BENCH_COMPANIES ?? '1000');
const usersPerCompany = 10;
const clients = Number(process.env.BENCH_CLIENTS ?? '64');
const seconds = Number(process.env.BENCH_SECONDS ?? '8');
const proxySecret = 'bench-proxy-secret-0123456789-scale';


/** Open loop: `clients` clients offering `rate` calls/s in all, each call timed from when it was due. */
async function offer(rate: number, op: (client: number, index: number, random: () => number) => Promise<void>): Promise<Measurement> {
  const latencies: number[] = [];
  const started = performance.now();
  const interval = (clients / rate) * 1000;
  let index = 0;
  await Promise.all(Array.from({ length: clients }, async (_unused, client) => {
    const random = prng(1000 + client);
    let due = started + random() * interval;
    while (due < started + seconds * 1000) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await op(client, index++, random);
      latencies.push(performance.now() - due);
      due += interval;
    }
  }));
  return { ops: latencies.length, seconds: (performance.now() - started) / 1000, latenciesMs: latencies.sort((a, b) => a - b) };
}

/** Closed loop: `clients` clients, each with its own random sequence, for `seconds`. */
function measure(op: (client: number, index: number, random: () => number) => Promise<void>): Promise<Measurement> {
  const randoms = Array.from({ length: clients }, (_unused, client) => prng(client + 1));
  return closedLoop(clients, seconds, (client, index) => op(client, index, randoms[client] ?? prng(client + 1)));
}

const companyId = (n: number, prefix: string) => `cmp_${prefix}_${n}`;
const domainOf = (n: number) => `c${n}.bench.test`;

/** `companies` companies with 10 users each (extensions 1001-1010) and 1,000,000.00 EUR, in batches of 50. */
async function seed(repository: Repository, prefix: string): Promise<void> {
  const now = Date.now();
  for (let first = 0; first < companies; first += 50) {
    await repository.transaction(async (tx) => {
      for (let n = first; n < Math.min(companies, first + 50); n += 1) {
        const id = companyId(n, prefix);
        await tx.insertCompany({
          id, name: `Bench ${n}`, currency: 'EUR', country: 'FR', sipDomain: `${prefix}.${domainOf(n)}`, balanceMinor: 0, lastSeq: 0,
          autoRefillEnabled: false, autoRefillThresholdMinor: 500, autoRefillAmountMinor: 2500, autoRefillDeclines: 0, autoRefillDisabledReason: null,
          dailyCapMinor: null, highRiskAllowed: false, createdAt: now,
        });
        for (let u = 1; u <= usersPerCompany; u += 1) {
          await tx.insertUser({ id: `usr_${prefix}_${n}_${u}`, companyId: id, email: `u${u}@${prefix}.${domainOf(n)}`, displayName: `User ${u}`, role: u === 1 ? 'admin' : 'employee', extension: String(1000 + u), passwordHash: 'x', premiumBarred: false, createdAt: now });
        }
        await tx.appendLedgerAndSetBalance({
          id: `txn_${prefix}_${n}_fund`, companyId: id, kind: 'topup', reference: `${prefix}-fund-${n}`, currency: 'EUR', walletDeltaMinor: 100_000_000, balanceAfterMinor: 100_000_000,
          ratePrefix: null, deckVersion: null, details: null, createdAt: now,
          legs: [{ account: `wallet:${id}`, amountMinor: 100_000_000 }, { account: 'external:card-funding', amountMinor: -100_000_000 }],
        });
      }
    });
  }
}

async function service(url: string, openLoopRate: number): Promise<{ saturated: Measurement; open: Measurement }> {
  const config = loadConfig({ DATABASE_URL: url, CABINE_MANAGER_PORT: '0', CABINE_LOG_LEVEL: 'silent', CABINE_PROXY_SECRET: proxySecret, CABINE_SCRYPT_LOG_N: '12', CABINE_PG_POOL_SIZE: String(clients) } as NodeJS.ProcessEnv);
  const repository = await PgRepository.open(url, { poolSize: 4 });
  await seed(repository, 'svc');
  await repository.close();
  const manager = await createManager(config);
  const base = new URL(await manager.app.listen({ host: '127.0.0.1', port: 0 }));
  const { post, close } = proxyPoster(base, proxySecret, clients);
  const oneCall = (phase: string) => async (client: number, index: number, random: () => number): Promise<void> => {
    const n = Math.floor(random() * companies);
    const extension = String(1001 + Math.floor(random() * usersPerCompany));
    const callId = `scale-${phase}-${client}-${index}~1`;
    const authorized = await post('/api/v1/calls/authorize', { callId, callerExtension: extension, sipDomain: `svc.${domainOf(n)}`, dialed: '+12125550100' });
    if (!authorized.allowed) throw new Error(`call refused during the benchmark: ${authorized.reason ?? '?'}`);
    await post('/api/v1/calls/complete', { callId, answeredSeconds: 60 });
  };
  const saturated = await measure(oneCall('closed'));
  const open = await offer(openLoopRate, oneCall('open'));
  close();
  const integrity = await manager.context.repository.store.checkIntegrity();
  await manager.close();
  if (!integrity.ok) throw new Error(`integrity: ${integrity.problems.join('; ')}`);
  return { saturated, open };
}

// The service's two money transactions for one call, by hand: reserve, then charge. `$1` is the company.
const reserveSql = [
  'SELECT balance_minor FROM companies WHERE id = $1 FOR UPDATE',
  "SELECT COALESCE(SUM(reserved_minor), 0) AS total FROM reservations WHERE company_id = $1 AND status = 'active' AND expires_at > $2",
  "INSERT INTO reservations (call_id, company_id, user_id, dialed, e164, kind, charged, rate_prefix, destination, deck_version, price_per_minute, connection_fee, increment_first, increment_next, max_seconds, reserved_minor, status, created_at, expires_at, updated_at) VALUES ($2, $1, $3, '+12125550100', '+12125550100', 'international', 1, '1', 'United States', 'raw', 220, 0, 30, 6, 14400, 528, 'active', $4, $5, $4)",
];
const chargeSql = [
  'SELECT balance_minor FROM companies WHERE id = $1 FOR UPDATE',
  "INSERT INTO ledger_transactions (id, company_id, kind, reference, currency, wallet_delta_minor, balance_after_minor, rate_prefix, deck_version, details, created_at) VALUES ($2, $1, 'call_charge', $3, 'EUR', -3, $4, '1', 'raw', NULL, $5) RETURNING seq",
  "INSERT INTO ledger_entries (txn_seq, leg, account, amount_minor, currency) VALUES ($1, 0, $2, -3, 'EUR'), ($1, 1, 'revenue:calls', 3, 'EUR')",
  'UPDATE companies SET balance_minor = $2, last_seq = $3 WHERE id = $1',
  "UPDATE reservations SET status = 'completed', answered_seconds = 60, billed_seconds = 60, charged_minor = 3, txn_seq = $1, updated_at = $2 WHERE call_id = $3",
];

async function raw(url: string): Promise<Measurement> {
  const repository = await PgRepository.open(url, { poolSize: 4 });
  await seed(repository, 'raw');
  await repository.close();
  const pool = new pg.Pool({ connectionString: url, max: clients });
  const result = await measure(async (client, index, random) => {
    const n = Math.floor(random() * companies);
    const company = companyId(n, 'raw');
    const user = `usr_raw_${n}_${1 + Math.floor(random() * usersPerCompany)}`;
    const callId = `raw-${client}-${index}`;
    const now = Date.now();
    const connection = await pool.connect();
    try {
      await connection.query('BEGIN');
      await connection.query(reserveSql[0] ?? '', [company]);
      await connection.query(reserveSql[1] ?? '', [company, now]);
      await connection.query(reserveSql[2] ?? '', [company, callId, user, now, now + 3_600_000]);
      await connection.query('COMMIT');
      await connection.query('BEGIN');
      const balance = Number((await connection.query(chargeSql[0] ?? '', [company])).rows[0].balance_minor);
      const seq = Number((await connection.query(chargeSql[1] ?? '', [company, `txn_raw_${callId}`, callId, balance - 3, now])).rows[0].seq);
      await connection.query(chargeSql[2] ?? '', [seq, `wallet:${company}`]);
      await connection.query(chargeSql[3] ?? '', [company, balance - 3, seq]);
      await connection.query(chargeSql[4] ?? '', [seq, now, callId]);
      await connection.query('COMMIT');
    } finally {
      connection.release();
    }
  });
  await pool.end();
  return result;
}

async function main(): Promise<void> {
  const database = await startTestDatabase();
  try {
    const rawResult = await raw(await database.newDatabase());
    const rate = (m: Measurement) => m.ops / m.seconds;
    const half = Math.round(rate(rawResult) / 2);
    const { saturated: serviceResult, open } = await service(await database.newDatabase(), half);
    const row = (name: string, m: Measurement) =>
      `| ${name.padEnd(7)} | ${rate(m).toFixed(0).padStart(7)} | ${percentile(m.latenciesMs, 50).toFixed(2).padStart(6)} | ${percentile(m.latenciesMs, 95).toFixed(2).padStart(6)} | ${percentile(m.latenciesMs, 99).toFixed(2).padStart(6)} |`;
    console.log(`PostgreSQL, ${companies} companies, ${companies * usersPerCompany} users, ${clients} clients, ${seconds} s each`);
    console.log('| run     | calls/s | p50 ms | p95 ms | p99 ms |');
    console.log('|---------|---------|--------|--------|--------|');
    console.log(row('service', serviceResult));
    console.log(row('raw SQL', rawResult));
    console.log(`| open loop, service offered ${half} calls/s (half the raw rate):`);
    console.log(row('service', open));
    const share = rate(serviceResult) / rate(rawResult);
    const p99 = percentile(open.latenciesMs, 99);
    console.log(`saturation: service/raw ${(share * 100).toFixed(0)} % (target ≥ 50 %); at half the raw rate: service p99 ${p99.toFixed(1)} ms per call (target ≤ 25 ms)`);
    console.log('One "call" = POST /calls/authorize + POST /calls/complete; raw = the same two transactions in hand-written SQL.');
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
