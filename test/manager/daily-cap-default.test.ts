/**
 * A new company starts with a daily spending cap (shared/billing/daily-cap.ts: 50.00 EUR), which its admin
 * can change or remove; companies that had none get it from migration 5. Real HTTP, SQLite and PostgreSQL.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCallResponseSchema } from '../../shared/api/call-schemas';
import { walletViewSchema } from '../../shared/api/wallet-schemas';
import { defaultDailyCapMinor } from '../../shared/billing/daily-cap';
import { currencyCodes } from '../../shared/money/currency';
import { sqliteMigrations } from '../../manager/src/store/migrations';
import { SqliteRepository } from '../../manager/src/store/sqlite-repository';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { startBackend, startManager } from './support/manager-harness';

describe.each<BackendName>(['sqlite', 'postgres'])('default daily cap on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let adminToken: string;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager(await backend.freshEnv());
    adminToken = await m.signIn('alice@cabine.test', 'cabine-1001');
  });

  afterAll(async () => {
    expect((await m.repository.store.checkIntegrity()).problems).toEqual([]);
    await m.close();
    await backend.stop();
  });

  const wallet = async () => walletViewSchema.parse((await m.request('GET', '/api/v1/wallet', { token: adminToken })).body);

  it('gives a new company 50.00 EUR a day, which bounds what a call may reserve', async () => {
    expect(defaultDailyCapMinor('EUR')).toBe(5000);
    expect((await wallet()).dailyCapMinor).toBe(5000);
    // 100 EUR in the wallet, but at most 50 EUR a day may go on calls: a satellite call's reservation stops there.
    for (let i = 0; i < 4; i += 1) {
      expect((await m.request('POST', '/api/v1/wallet/topups', { token: adminToken, body: { amountMinor: 2500, currency: 'EUR' }, headers: { 'idempotency-key': `cap-default-${backendName}-${i}` } })).status).toBe(201);
    }
    expect((await m.request('PUT', '/api/v1/company/high-risk', { token: adminToken, body: { allowed: true } })).status).toBe(200);
    const first = authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId: 'cap-default-1', callerExtension: '1001', dialed: '+881 6 1234 5678' })).body);
    expect(first).toMatchObject({ allowed: true });
    expect(first.reservedMinor).toBeLessThanOrEqual(5000);
    expect(first.reservedMinor).toBeGreaterThan(4000);
    // The cap is taken by that reservation: a second call is refused and reserves nothing.
    expect((await m.proxy('/api/v1/calls/authorize', { callId: 'cap-default-2', callerExtension: '1001', dialed: '+881 6 1234 5678' })).body).toMatchObject({ allowed: false, reason: 'daily_cap', reservedMinor: 0 });
    expect((await wallet()).reservedMinor).toBe(first.reservedMinor);
    expect((await m.proxy('/api/v1/calls/release', { callId: 'cap-default-1' })).status).toBe(200);
    expect((await m.request('PUT', '/api/v1/company/high-risk', { token: adminToken, body: { allowed: false } })).status).toBe(200);
    expect((await wallet())).toMatchObject({ reservedMinor: 0, balanceMinor: 12500, spentTodayMinor: 0 });
  });

  it('lets the admin change or remove it, and only the admin', async () => {
    const brunoToken = await m.signIn('bruno@cabine.test', 'cabine-1002');
    expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: brunoToken, body: { dailyCapMinor: null } })).status).toBe(403);
    expect((await wallet()).dailyCapMinor).toBe(5000);
    expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: 12000 } })).status).toBe(200);
    expect((await wallet()).dailyCapMinor).toBe(12000);
    expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: null } })).status).toBe(200);
    expect((await wallet()).dailyCapMinor).toBeNull();
  });
});

describe('migration 5 on an existing SQLite database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-cap-migration-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives every company without a cap the default of its currency, and keeps the caps admins set', async () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const migration of sqliteMigrations.filter((entry) => entry.version <= 4)) {
      old.exec(migration.sql);
      old.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now());
    }
    const insert = old.prepare('INSERT INTO companies (id, name, currency, country, sip_domain, daily_cap_minor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const currency of currencyCodes) insert.run(`cmp_${currency}`, currency, currency, 'FR', `${currency.toLowerCase()}.test`, null, Date.now());
    insert.run('cmp_set', 'Set', 'EUR', 'FR', 'set.test', 999, Date.now());
    old.close();

    const repository = await SqliteRepository.open(path);
    try {
      for (const currency of currencyCodes) expect((await repository.store.getCompany(`cmp_${currency}`))?.dailyCapMinor, currency).toBe(defaultDailyCapMinor(currency));
      expect((await repository.store.getCompany('cmp_set'))?.dailyCapMinor).toBe(999);
    } finally {
      await repository.close();
    }
  });
});
