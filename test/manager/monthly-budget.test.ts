/**
 * Per-employee monthly budgets (docs/money-flow.md, "Monthly budgets"): the admin sets a most-they-may-
 * spend per UTC calendar month for one user (PUT /api/v1/users/:id/budget); authorize funds no call past
 * what is left (refusal `monthly_budget`, nothing reserved), counting the month's charges and the user's
 * other calls in progress; extend never goes past it; the quote says so first; the user reads what is left
 * (GET /api/v1/budget). Attacks: an employee setting their own budget, another company's admin, bad
 * bodies, concurrent calls racing to overspend, replayed authorizes. Real HTTP, SQLite and PostgreSQL.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetListResponseSchema, budgetViewSchema } from '../../shared/api/budget-schemas';
import { authorizeCallResponseSchema, completeCallResponseSchema, extendCallResponseSchema } from '../../shared/api/call-schemas';
import { quoteResponseSchema } from '../../shared/api/rate-schemas';
import { maxMonthlyBudgetMinor } from '../../shared/billing/monthly-budget';
import { sqliteMigrations } from '../../manager/src/store/migrations';
import { SqliteRepository } from '../../manager/src/store/sqlite-repository';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager } from './support/manager-harness';

const bruno = 'usr_demo_1002';
const chloe = 'usr_demo_1003';
/** A paid international call (UK mobile), not high-risk. */
const ukMobile = '+44 7400 900123';

describe.each<BackendName>(['sqlite', 'postgres'])('monthly budgets on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  /** On PostgreSQL, a second manager instance on the same database (the race runs through both). */
  let other: RunningManager;
  let adminToken: string;
  let brunoToken: string;
  let callCounter = 0;
  /** The manager's clock: late on 30 November (UTC), so a test can step into December. */
  let clock = Date.UTC(2026, 10, 30, 22, 0);

  beforeAll(async () => {
    backend = await startBackend(backendName);
    const env = await backend.freshEnv();
    m = await startManager(env, { now: () => clock });
    other = backendName === 'postgres' ? await startManager({ ...backend.sameDatabase(env), CABINE_SEED_DEMO: 'false' }, { now: () => clock }) : m;
    adminToken = await m.signIn('alice@cabine.test', 'cabine-1001');
    brunoToken = await m.signIn('bruno@cabine.test', 'cabine-1002');
    // 100.00 EUR in the wallet and no daily cap: only the budget limits Bruno.
    for (let i = 0; i < 4; i += 1) {
      expect((await m.request('POST', '/api/v1/wallet/topups', { token: adminToken, body: { amountMinor: 2500, currency: 'EUR' }, headers: { 'idempotency-key': `budget-${backendName}-${i}` } })).status).toBe(201);
    }
    expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: null } })).status).toBe(200);
  });

  afterAll(async () => {
    expect((await m.repository.store.checkIntegrity()).problems).toEqual([]);
    if (other !== m) await other.close();
    await m.close();
    await backend.stop();
  });

  const setBudget = (monthlyBudgetMinor: unknown, token = adminToken, userId = bruno) => m.request('PUT', `/api/v1/users/${userId}/budget`, { token, body: { monthlyBudgetMinor } });
  const myBudget = async (token = brunoToken) => budgetViewSchema.parse((await m.request('GET', '/api/v1/budget', { token })).body);
  const authorize = async (callId: string, extension = '1002', via: RunningManager = m) =>
    authorizeCallResponseSchema.parse((await via.proxy('/api/v1/calls/authorize', { callId, callerExtension: extension, dialed: ukMobile })).body);
  const newCallId = () => {
    callCounter += 1;
    return `budget-${backendName}-${callCounter}`;
  };
  const complete = async (callId: string, answeredSeconds: number) => completeCallResponseSchema.parse((await m.proxy('/api/v1/calls/complete', { callId, answeredSeconds })).body);
  const reservedBy = (userId: string) => m.repository.store.sumUserActiveReservations(userId, 0);
  const ledgerSize = async () => (await m.repository.store.listLedger('cmp_demo', null, 1_000_000)).length;

  it('starts with no budget: nothing left to show, calls limited by the wallet only', async () => {
    expect(await myBudget()).toMatchObject({ userId: bruno, monthlyBudgetMinor: null, leftMinor: null, spentThisMonthMinor: 0, reservedMinor: 0, currency: 'EUR' });
    const callId = newCallId();
    const answer = await authorize(callId);
    expect(answer.allowed).toBe(true);
    expect((await m.proxy('/api/v1/calls/release', { callId })).status).toBe(200);
  });

  it('funds a call only up to what the budget leaves, counts its charge, and refuses the next call monthly_budget with nothing reserved', async () => {
    const quote = quoteResponseSchema.parse((await m.request('GET', `/api/v1/quote?number=${encodeURIComponent(ukMobile)}`, { token: brunoToken })).body);
    const perMinute = quote.costOfFirstMinuteMinor ?? 0;
    expect(perMinute).toBeGreaterThan(0);
    // Two and a half minutes' worth.
    const budgetMinor = Math.floor(perMinute * 2.5);
    const set = await setBudget(budgetMinor);
    expect(set.status).toBe(200);
    expect(budgetViewSchema.parse(set.body)).toMatchObject({ userId: bruno, monthlyBudgetMinor: budgetMinor, leftMinor: budgetMinor });
    expect(await myBudget()).toMatchObject({ monthlyBudgetMinor: budgetMinor, leftMinor: budgetMinor, resetsAt: '2026-12-01T00:00:00.000Z', monthStart: '2026-11-01T00:00:00.000Z' });

    const first = newCallId();
    const answer = await authorize(first);
    expect(answer).toMatchObject({ allowed: true, charged: true });
    expect(answer.reservedMinor).toBeLessThanOrEqual(budgetMinor);
    expect(answer.maxDurationSeconds).toBeLessThan(180);
    expect(answer.maxDurationSeconds).toBeGreaterThanOrEqual(120);
    // While it runs, what is left counts its reservation, and a second call of Bruno's gets only the rest.
    expect(await myBudget()).toMatchObject({ reservedMinor: answer.reservedMinor, leftMinor: budgetMinor - answer.reservedMinor });
    // Alice has no budget: the wallet (100 EUR) funds her call far beyond Bruno's.
    const alices = newCallId();
    expect((await authorize(alices, '1001')).maxDurationSeconds).toBeGreaterThan(answer.maxDurationSeconds);
    expect((await m.proxy('/api/v1/calls/release', { callId: alices })).status).toBe(200);

    const charged = await complete(first, answer.maxDurationSeconds);
    expect(charged.chargedMinor).toBe(answer.reservedMinor);
    const after = await myBudget();
    expect(after).toMatchObject({ spentThisMonthMinor: charged.chargedMinor, reservedMinor: 0, leftMinor: budgetMinor - charged.chargedMinor });

    // What is left buys less than the first increment: refused, nothing reserved, nothing charged.
    expect(after.leftMinor ?? 0).toBeLessThan(perMinute);
    const before = await ledgerSize();
    const refused = await authorize(newCallId());
    expect(refused).toMatchObject({ allowed: false, reason: 'monthly_budget', reservedMinor: 0, maxDurationSeconds: 0 });
    expect(await reservedBy(bruno)).toBe(0);
    expect(await ledgerSize()).toBe(before);
    // The app hears it before dialling: the quote's verdict and warnings are authorize's.
    const refusedQuote = quoteResponseSchema.parse((await m.request('GET', `/api/v1/quote?number=${encodeURIComponent(ukMobile)}`, { token: brunoToken })).body);
    expect(refusedQuote.verdict).toEqual({ allowed: false, reason: 'monthly_budget' });
    expect(refusedQuote.warnings).toContain('monthly_budget');
    expect(refusedQuote.budgetLeftMinor).toBe(after.leftMinor);
    // Alice has no budget: her quote says so.
    expect(quoteResponseSchema.parse((await m.request('GET', `/api/v1/quote?number=${encodeURIComponent(ukMobile)}`, { token: adminToken })).body).budgetLeftMinor).toBeNull();
  });

  it('replays a refused authorize as refused, even after the admin raises the budget (a replay never reserves)', async () => {
    const callId = newCallId();
    expect(await authorize(callId)).toMatchObject({ allowed: false, reason: 'monthly_budget' });
    expect((await setBudget(1_000_000)).status).toBe(200);
    expect(await authorize(callId)).toMatchObject({ allowed: false, reason: 'monthly_budget', reservedMinor: 0 });
    expect(await reservedBy(bruno)).toBe(0);
    // A new attempt is funded by the raised budget; a replay of the allowed authorize reserves once.
    const fresh = newCallId();
    const allowed = await authorize(fresh);
    expect(allowed.allowed).toBe(true);
    expect(await authorize(fresh)).toEqual(allowed);
    expect(await reservedBy(bruno)).toBe(allowed.reservedMinor);
    expect((await m.proxy('/api/v1/calls/release', { callId: fresh })).status).toBe(200);
  });

  it('lets only an admin of the company set or clear a budget; bad amounts are refused and change nothing', async () => {
    const current = (await myBudget()).monthlyBudgetMinor;
    // The employee tries to lift their own budget, clear it, or read the company's.
    for (const attempt of [null, 99_999_999, 1]) {
      const answer = await setBudget(attempt, brunoToken);
      expect(answer.status).toBe(403);
    }
    expect((await m.request('GET', '/api/v1/company/budgets', { token: brunoToken })).status).toBe(403);
    expect((await m.request('GET', `/api/v1/users/${chloe}/budget`, { token: brunoToken })).status).toBe(403);
    expect((await myBudget()).monthlyBudgetMinor).toBe(current);
    // No token at all.
    expect((await m.request('PUT', `/api/v1/users/${bruno}/budget`, { body: { monthlyBudgetMinor: null } })).status).toBe(401);
    // Another company's admin: the ids are not theirs (404, never 403: nothing leaks).
    await addCompany(m.repository, `cmp_budget_${backendName}`, `budget-${backendName}.test`, `budget-boss-${backendName}@other.test`, 'other-password');
    const otherToken = await m.signIn(`budget-boss-${backendName}@other.test`, 'other-password');
    expect((await setBudget(null, otherToken)).status).toBe(404);
    expect((await m.request('GET', `/api/v1/users/${bruno}/budget`, { token: otherToken })).status).toBe(404);
    const theirs = budgetListResponseSchema.parse((await m.request('GET', '/api/v1/company/budgets', { token: otherToken })).body);
    expect(theirs.budgets.map((entry) => entry.userId)).toEqual([`usr_cmp_budget_${backendName}_admin`]);
    // Amounts that are not a positive whole number of minor units, or too large, or extra fields.
    for (const body of [{ monthlyBudgetMinor: 0 }, { monthlyBudgetMinor: -100 }, { monthlyBudgetMinor: 12.5 }, { monthlyBudgetMinor: '500' },
      { monthlyBudgetMinor: maxMonthlyBudgetMinor + 1 }, { monthlyBudgetMinor: 500, userId: chloe }, {}]) {
      const answer = await m.request('PUT', `/api/v1/users/${bruno}/budget`, { token: adminToken, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
    expect((await m.request('PUT', `/api/v1/users/usr_nobody/budget`, { token: adminToken, body: { monthlyBudgetMinor: 500 } })).status).toBe(404);
    expect((await myBudget()).monthlyBudgetMinor).toBe(current);
    // The admin's list shows every calling user of the company.
    const ours = budgetListResponseSchema.parse((await m.request('GET', '/api/v1/company/budgets', { token: adminToken })).body);
    expect(ours.budgets.map((entry) => entry.userId).sort()).toEqual(['usr_demo_1001', bruno, chloe]);
  });

  it('never lets concurrent calls of one user reserve more than the budget leaves (the race an attacker with several phones would run, through two manager instances on PostgreSQL)', async () => {
    const quote = quoteResponseSchema.parse((await m.request('GET', `/api/v1/quote?number=${encodeURIComponent(ukMobile)}`, { token: brunoToken })).body);
    const perMinute = quote.costOfFirstMinuteMinor ?? 0;
    const spent = (await myBudget()).spentThisMonthMinor;
    // Enough for about three minutes in all, whatever the number of calls.
    const budgetMinor = spent + perMinute * 3;
    expect((await setBudget(budgetMinor)).status).toBe(200);
    const ids = Array.from({ length: 10 }, () => newCallId());
    // Half through each manager instance on PostgreSQL (one and the same on SQLite).
    const answers = await Promise.all(ids.map((id, index) => authorize(id, '1002', index % 2 === 0 ? m : other)));
    const allowed = answers.filter((answer) => answer.allowed);
    expect(allowed.length).toBeGreaterThan(0);
    const reserved = allowed.reduce((sum, answer) => sum + answer.reservedMinor, 0);
    expect(reserved).toBeLessThanOrEqual(perMinute * 3);
    expect(await reservedBy(bruno)).toBe(reserved);
    for (const answer of answers.filter((entry) => !entry.allowed)) expect(answer).toMatchObject({ reason: 'monthly_budget', reservedMinor: 0 });
    // Every call runs to its cap: the month's charges stay within the budget.
    for (const answer of allowed) await complete(answer.callId, answer.maxDurationSeconds + 30);
    const after = await myBudget();
    expect(after.spentThisMonthMinor).toBeLessThanOrEqual(budgetMinor);
    expect(after.reservedMinor).toBe(0);
    expect(await authorize(newCallId())).toMatchObject({ allowed: false, reason: 'monthly_budget' });
  });

  it('extends a live call only as far as the raised budget, never past it, and starts afresh in the next UTC month', async () => {
    const quote = quoteResponseSchema.parse((await m.request('GET', `/api/v1/quote?number=${encodeURIComponent(ukMobile)}`, { token: brunoToken })).body);
    const perMinute = quote.costOfFirstMinuteMinor ?? 0;
    const spent = (await myBudget()).spentThisMonthMinor;
    expect((await setBudget(spent + perMinute)).status).toBe(200);
    const callId = newCallId();
    const answer = await authorize(callId);
    expect(answer.allowed).toBe(true);
    expect(answer.maxDurationSeconds).toBeLessThanOrEqual(60);
    // Nothing new: the extend answers the same maximum.
    expect(extendCallResponseSchema.parse((await m.proxy('/api/v1/calls/extend', { callId })).body)).toMatchObject({ extended: false, maxDurationSeconds: answer.maxDurationSeconds });
    expect((await setBudget(spent + perMinute * 2)).status).toBe(200);
    const extended = extendCallResponseSchema.parse((await m.proxy('/api/v1/calls/extend', { callId })).body);
    expect(extended.extended).toBe(true);
    expect(extended.maxDurationSeconds).toBeGreaterThan(answer.maxDurationSeconds);
    expect(extended.maxDurationSeconds).toBeLessThanOrEqual(120);
    expect((await myBudget()).leftMinor).toBeLessThan(perMinute);
    // Lowering the budget never shortens the live call.
    expect((await setBudget(1)).status).toBe(200);
    expect(extendCallResponseSchema.parse((await m.proxy('/api/v1/calls/extend', { callId })).body)).toMatchObject({ extended: false, maxDurationSeconds: extended.maxDurationSeconds });
    await complete(callId, extended.maxDurationSeconds);
    expect(await authorize(newCallId())).toMatchObject({ allowed: false, reason: 'monthly_budget' });
    // Midnight UTC, 1 December: November's charges no longer count.
    expect((await setBudget(perMinute * 2)).status).toBe(200);
    clock = Date.UTC(2026, 11, 1, 0, 0, 1);
    expect(await myBudget()).toMatchObject({ spentThisMonthMinor: 0, leftMinor: perMinute * 2, monthStart: '2026-12-01T00:00:00.000Z' });
    const december = newCallId();
    expect(await authorize(december)).toMatchObject({ allowed: true });
    expect((await m.proxy('/api/v1/calls/release', { callId: december })).status).toBe(200);
    // Cleared: no budget, the wallet alone decides.
    expect(budgetViewSchema.parse((await setBudget(null)).body)).toMatchObject({ monthlyBudgetMinor: null, leftMinor: null });
  });
});

describe('migration 7 on an existing SQLite database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-budget-migration-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds the budgets table to a database with calls in it: nobody has a budget, past charges count toward the month', async () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const migration of sqliteMigrations.filter((entry) => entry.version <= 6)) {
      old.exec(migration.sql);
      old.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now());
    }
    const now = Date.UTC(2026, 11, 2, 12);
    old.prepare('INSERT INTO companies (id, name, currency, country, sip_domain, created_at) VALUES (?, ?, ?, ?, ?, ?)').run('cmp_old', 'Old', 'EUR', 'FR', 'old.test', now);
    old.prepare("INSERT INTO users (id, company_id, email, display_name, role, extension, password_hash, created_at) VALUES ('usr_old', 'cmp_old', 'old@old.test', 'Old User', 'employee', '1002', 'x', ?)").run(now);
    old.prepare(`INSERT INTO reservations (call_id, company_id, user_id, dialed, e164, kind, charged, rate_prefix, destination, deck_version, price_per_minute, connection_fee,
      increment_first, increment_next, max_seconds, reserved_minor, status, answered_seconds, billed_seconds, charged_minor, txn_seq, created_at, expires_at, updated_at)
      VALUES ('old-call~1', 'cmp_old', 'usr_old', '+447400900123', '+447400900123', 'international', 1, '447', 'UK', 'v', 1660, 0, 30, 6, 600, 166, 'completed', 60, 60, 17, 1, ?, ?, ?)`).run(now, now + 1, now);
    old.prepare(`INSERT INTO ledger_transactions (id, company_id, kind, reference, currency, wallet_delta_minor, balance_after_minor, created_at)
      VALUES ('txn_old', 'cmp_old', 'call_charge', 'old-call~1', 'EUR', -17, 0, ?)`).run(now);
    old.close();

    const repository = await SqliteRepository.open(path);
    try {
      expect(await repository.store.getUserBudget('usr_old')).toBeNull();
      expect(await repository.store.sumUserCallChargesSince('usr_old', Date.UTC(2026, 11, 1))).toBe(17);
      expect(await repository.store.sumUserCallChargesSince('usr_old', Date.UTC(2027, 0, 1))).toBe(0);
      await repository.store.setUserBudget({ userId: 'usr_old', companyId: 'cmp_old', monthlyBudgetMinor: 500, updatedBy: 'usr_old', updatedAt: now });
      expect((await repository.store.getUserBudget('usr_old'))?.monthlyBudgetMinor).toBe(500);
    } finally {
      await repository.close();
    }
  });
});
