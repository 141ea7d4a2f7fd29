/**
 * The one-statement money writes on PostgreSQL (migration 10, manager/src/store/pg-money-statements.ts):
 * authorize and complete each write in one round trip, and answer and write exactly what the locked
 * transaction does. Differential: the same random sequence of calls (paid, free, emergency, unknown
 * callers, repeats, releases, budgets, daily caps, top-ups, expiry) through a manager with the statements
 * and one without, on the same clock, compared answer by answer and row by row; the snapshot function the
 * statement checks under the lock against the portable query the locked path reads. Races: a double
 * complete charges once, concurrent authorizes never reserve more than the wallet holds, a release that
 * came first stops the authorize.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgRepository } from '../../manager/src/store/pg-repository';
import type { Repository } from '../../manager/src/store/repository';
import { prng } from './support/load-scenario';
import type { Backend, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager, TestClock } from './support/manager-harness';

const dialled = ['+12125550100', '+447700900123', '+33612345678', '112', '0800123456', '+33899123456', '+8821234567', 'not-a-number'];
const extensions = ['1001', '1002', '1003', '1009'];

interface Side {
  readonly m: RunningManager;
  readonly repository: Repository;
  readonly url: string;
}

describe('one-statement authorize and complete on PostgreSQL', () => {
  let backend: Backend;
  const clock = new TestClock(Date.UTC(2026, 0, 30, 22, 0, 0));
  let fast: Side;
  let locked: Side;
  let adminToken: { fast: string; locked: string };

  const open = async (moneyStatements: boolean): Promise<Side> => {
    const env = await backend.freshEnv();
    const url = env.DATABASE_URL ?? '';
    const repository = await PgRepository.open(url, { moneyStatements });
    const m = await startManager({ ...env, CABINE_MAX_CALL_SECONDS: '600' }, { now: clock.now, repository });
    return { m, repository, url };
  };

  beforeAll(async () => {
    backend = await startBackend('postgres');
    fast = await open(true);
    locked = await open(false);
    expect(fast.repository.moneyStatements).toBeDefined();
    expect(locked.repository.moneyStatements).toBeUndefined();
    adminToken = { fast: await fast.m.signIn('alice@cabine.test', 'cabine-1001'), locked: await locked.m.signIn('alice@cabine.test', 'cabine-1001') };
  });

  afterAll(async () => {
    for (const side of [fast, locked]) {
      expect((await side.repository.store.checkIntegrity()).problems).toEqual([]);
      // The manager closes the repository it was handed.
      await side.m.close();
    }
    await backend.stop();
  });

  /** The same request to both managers: the answers must be equal. */
  const both = async (path: string, body: object): Promise<{ status: number; body: unknown }> => {
    const a = await fast.m.proxy(path, body);
    const b = await locked.m.proxy(path, body);
    expect({ status: a.status, body: a.body }, `${path} ${JSON.stringify(body)}`).toEqual({ status: b.status, body: b.body });
    return { status: a.status, body: a.body };
  };

  /** What the money tables hold, without the random transaction ids. */
  const tables = async (side: Side) => {
    const client = new pg.Client({ connectionString: side.url });
    await client.connect();
    try {
      const query = async (sql: string) => (await client.query(sql)).rows;
      return {
        companies: await query('SELECT id, balance_minor, last_seq FROM companies ORDER BY id'),
        reservations: await query('SELECT * FROM reservations ORDER BY call_id'),
        attempts: await query('SELECT * FROM call_attempts ORDER BY call_id'),
        // A top-up's reference and details carry random ids (its own, the card processor's).
        ledger: await query(`SELECT seq, company_id, kind, CASE WHEN kind = 'topup' THEN '' ELSE reference END AS reference, currency, wallet_delta_minor,
          balance_after_minor, rate_prefix, deck_version, CASE WHEN kind = 'topup' THEN '' ELSE details END AS details, created_at FROM ledger_transactions ORDER BY seq`),
        legs: await query('SELECT txn_seq, leg, account, amount_minor, currency FROM ledger_entries ORDER BY txn_seq, leg'),
      };
    } finally {
      await client.end();
    }
  };

  it('answers and writes exactly what the locked transaction does, over 300 random steps', { timeout: 240_000 }, async () => {
    const random = prng(11);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const calls: string[] = [];
    let topUps = 0;
    for (let step = 0; step < 300; step += 1) {
      clock.advance(Math.floor(random() * 90_000));
      const roll = random();
      if (roll < 0.4 || calls.length === 0) {
        // A new call, or now and then a repeat of an old id (a proxy retry).
        const callId = random() < 0.1 && calls.length > 0 ? pick(calls) : `diff-${step}`;
        if (!calls.includes(callId)) calls.push(callId);
        await both('/api/v1/calls/authorize', { callId, callerExtension: pick(extensions), dialed: pick(dialled) });
      } else if (roll < 0.75) {
        await both('/api/v1/calls/complete', { callId: pick(calls), answeredSeconds: Math.floor(random() * 900) });
      } else if (roll < 0.82) {
        // A release of a known call, or of one that was never authorized (a tombstone).
        await both('/api/v1/calls/release', { callId: random() < 0.7 ? pick(calls) : `never-${step}` });
      } else if (roll < 0.87) {
        await both('/api/v1/calls/extend', { callId: pick(calls) });
      } else if (roll < 0.92) {
        topUps += 1;
        for (const [side, token] of [[fast, adminToken.fast], [locked, adminToken.locked]] as const) {
          const response = await side.m.request('POST', '/api/v1/wallet/topups', { token, body: { amountMinor: 1000, currency: 'EUR' }, headers: { 'idempotency-key': `diff-topup-${topUps}` } });
          expect(response.status).toBe(201);
        }
      } else if (roll < 0.96) {
        const cap = random() < 0.4 ? null : 10 + Math.floor(random() * 400);
        for (const side of [fast, locked]) await side.repository.store.setDailyCap('cmp_demo', cap);
      } else {
        const user = `usr_demo_${pick(['1001', '1002', '1003'])}`;
        const budget = 5 + Math.floor(random() * 300);
        for (const side of [fast, locked]) {
          if (random() < 0.3) await side.repository.store.deleteUserBudget(user);
          else await side.repository.store.setUserBudget({ userId: user, companyId: 'cmp_demo', monthlyBudgetMinor: budget, updatedBy: 'test', updatedAt: clock.now() });
        }
      }
    }
    const [a, b] = [await tables(fast), await tables(locked)];
    expect(a).toEqual(b);
    // The walk charged calls, refused some and left tombstones: it went through more than the easy cases.
    expect(a.ledger.filter((row) => row.kind === 'call_charge').length).toBeGreaterThan(5);
    expect(a.attempts.some((row) => row.refusal !== null)).toBe(true);
    expect(a.attempts.some((row) => row.released_at !== null)).toBe(true);
  });

  it('checks under the lock the same sums the locked path reads (snapshot function = portable query)', { timeout: 60_000 }, async () => {
    const random = prng(12);
    const client = new pg.Client({ connectionString: fast.url });
    await client.connect();
    try {
      for (let i = 0; i < 200; i += 1) {
        const now = clock.now() - Math.floor(random() * 6 * 3_600_000);
        const userId = `usr_demo_${['1001', '1002', '1003', '9999'][i % 4] ?? '1001'}`;
        const dayStart = random() < 0.5 ? null : now - Math.floor(random() * 86_400_000);
        const monthStart = now - Math.floor(random() * 40 * 86_400_000);
        const portable = await fast.repository.store.fundingSnapshot({ companyId: 'cmp_demo', userId, now, dayStart, monthStart });
        const row = (await client.query('SELECT * FROM cabine_funding_snapshot($1, $2, $3, $4, $5)', ['cmp_demo', userId, now, dayStart, monthStart])).rows[0] as Record<string, string | null>;
        expect({
          reservedMinor: Number(row.reserved), spentTodayMinor: Number(row.spent_today), userBudgetMinor: row.budget === null ? null : Number(row.budget),
          userSpentThisMonthMinor: Number(row.user_spent), userReservedMinor: Number(row.user_reserved),
        }).toEqual(portable);
      }
    } finally {
      await client.end();
    }
  });

  it('writes a call in one round trip each for authorize and complete', async () => {
    await fast.repository.store.setDailyCap('cmp_demo', null);
    const response = await fast.m.request('POST', '/api/v1/wallet/topups', { token: adminToken.fast, body: { amountMinor: 2500, currency: 'EUR' }, headers: { 'idempotency-key': 'round-trips' } });
    expect(response.status).toBe(201);
    const sent: string[] = [];
    // Every statement of the pool's connections goes through Client#query: count them.
    const plain = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: string };
      const text = typeof first === 'string' ? first : first.text ?? '';
      if (!text.includes('last_seq >')) sent.push(text);
      return Reflect.apply(plain, this, args) as never;
    } as typeof plain;
    try {
      sent.length = 0;
      const authorized = await fast.m.proxy('/api/v1/calls/authorize', { callId: 'one-trip', callerExtension: '1001', dialed: '+12125550100' });
      expect(authorized.body).toMatchObject({ allowed: true, charged: true });
      const authorizeTrips = [...sent];
      sent.length = 0;
      const completed = await fast.m.proxy('/api/v1/calls/complete', { callId: 'one-trip', answeredSeconds: 61 });
      expect(completed.status).toBe(200);
      expect(completed.body.chargedMinor).toBeGreaterThan(0);
      // One read without the lock, one write that takes it.
      expect({ authorize: authorizeTrips.length, complete: sent.length }, [...authorizeTrips, ...sent].join('\n')).toEqual({ authorize: 2, complete: 2 });
    } finally {
      pg.Client.prototype.query = plain;
    }
  });

  it('charges a call once when its complete is sent 16 times at once', { timeout: 60_000 }, async () => {
    await fast.repository.store.setDailyCap('cmp_demo', null);
    expect((await fast.m.proxy('/api/v1/calls/authorize', { callId: 'double', callerExtension: '1002', dialed: '+12125550100' })).body).toMatchObject({ allowed: true });
    const answers = await Promise.all(Array.from({ length: 16 }, () => fast.m.proxy('/api/v1/calls/complete', { callId: 'double', answeredSeconds: 120 })));
    expect(new Set(answers.map((answer) => JSON.stringify({ status: answer.status, charged: answer.body.chargedMinor, billed: answer.body.billedSeconds }))).size).toBe(1);
    const charges = await fast.repository.store.listLedger('cmp_demo', null, 1000);
    expect(charges.filter((row) => row.kind === 'call_charge' && row.reference === 'double')).toHaveLength(1);
  });

  it('never reserves more than the wallet holds when 24 calls of one company authorize at once', { timeout: 60_000 }, async () => {
    // A company of its own with 1.00 EUR: a few calls fit, most of the rush must be refused.
    await addCompany(fast.repository, 'cmp_rush', 'rush.test', 'rush@other.test', 'rush-password');
    await fast.repository.transaction(async (tx) => {
      await tx.lockCompany('cmp_rush');
      await tx.appendLedgerAndSetBalance({
        id: 'txn_rush_fund', companyId: 'cmp_rush', kind: 'topup', reference: 'rush-fund', currency: 'EUR', walletDeltaMinor: 100, balanceAfterMinor: 100,
        ratePrefix: null, deckVersion: null, details: null, createdAt: clock.now(),
        legs: [{ account: 'wallet:cmp_rush', amountMinor: 100 }, { account: 'external:card-funding', amountMinor: -100 }],
      });
    });
    const answers = await Promise.all(Array.from({ length: 24 }, (_unused, i) =>
      fast.m.proxy('/api/v1/calls/authorize', { callId: `rush-${i}`, callerExtension: '1001', sipDomain: 'rush.test', dialed: '+12125550100' })));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const reserved = answers.reduce((sum, answer) => sum + Number(answer.body.reservedMinor ?? 0), 0);
    expect(reserved).toBe(await fast.repository.store.sumActiveReservations('cmp_rush', clock.now()));
    expect(reserved).toBeLessThanOrEqual(100);
    expect(answers.filter((answer) => answer.body.allowed === true).length).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer.body.allowed === false && answer.body.reason === 'insufficient_funds').length).toBeGreaterThan(0);
  });

  it('refuses an authorize whose release came first, and reserves nothing for it', async () => {
    const released = await fast.m.proxy('/api/v1/calls/release', { callId: 'gone-first' });
    expect(released.body).toMatchObject({ tombstone: true });
    const answer = await fast.m.proxy('/api/v1/calls/authorize', { callId: 'gone-first', callerExtension: '1001', dialed: '+12125550100' });
    expect(answer.body).toMatchObject({ allowed: false, reason: 'released' });
    expect(await fast.repository.store.getReservation('gone-first')).toBeNull();
  });
});
