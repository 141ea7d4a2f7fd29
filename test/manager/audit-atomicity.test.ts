/**
 * The audit trail is written with the change it records (docs/manager.md, "Audit trail"): every audited
 * write (wallet, settings, budgets, numbers, people, password links) records its entry inside its own
 * transaction. A crash injected after the change and its entry but before the commit leaves neither; the
 * same write done again leaves the change and exactly one entry; a refused write leaves none. The crash is
 * injected by a repository wrapper around the real one (SQLite and PostgreSQL): the transaction's work
 * runs for real, then, when it wrote an audit entry, an error is thrown before the commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../manager/src/app';
import { loadConfig } from '../../manager/src/config';
import type { Repository, Store } from '../../manager/src/store/repository';
import type { Backend, BackendName, RunningManager, TestResponse } from './support/manager-harness';
import { addCompany, startBackend, startManager, testEnv } from './support/manager-harness';

/** The real repository, with a crash before commit on demand for transactions that wrote an audit entry. */
function crashingRepository(inner: Repository): { repository: Repository; faults: { armed: boolean; crashes: number } } {
  const faults = { armed: false, crashes: 0 };
  const repository: Repository = {
    dialect: inner.dialect,
    store: inner.store,
    transaction: (work) => inner.transaction(async (tx) => {
      let audited = false;
      const watched = new Proxy(tx, {
        get(target, property) {
          if (property === 'appendAudit') {
            return (event: Parameters<Store['appendAudit']>[0]) => {
              audited = true;
              return target.appendAudit(event);
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      const result = await work(watched);
      if (faults.armed && audited) {
        faults.crashes += 1;
        throw new Error('injected crash between the change and the commit');
      }
      return result;
    }),
    listenWalletChanges: (onChange) => inner.listenWalletChanges(onChange),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { repository, faults };
}

interface AuditedWrite {
  readonly action: string;
  readonly send: () => Promise<TestResponse>;
  /** What the write changes, read from the database. */
  readonly observe: () => Promise<unknown>;
}

describe.each<BackendName>(['sqlite', 'postgres'])('audit atomicity on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let faults: { armed: boolean; crashes: number };
  let admin: string;
  let care: string;
  const store = (): Store => m.repository.store;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    const env = await backend.freshEnv();
    const inner = await openRepository(loadConfig(testEnv(env) as NodeJS.ProcessEnv), { warn: () => undefined });
    const crashing = crashingRepository(inner);
    faults = crashing.faults;
    m = await startManager(env, { repository: crashing.repository });
    admin = await m.signIn('alice@cabine.test', 'cabine-1001');
    care = await m.signIn('care@cabine.test', 'cabine-care');
  });

  afterAll(async () => {
    await m.close();
    await backend.stop();
  });

  const lastSeq = async (): Promise<number> => (await store().listAudit(null, null, 1))[0]?.seq ?? 0;
  const entriesAfter = async (seq: number) => (await store().listAudit(null, null, 500)).filter((row) => row.seq > seq);

  /** Crash before commit: nothing changed, nothing audited. Then again without the crash: the change, one entry. */
  async function expectAtomic(write: AuditedWrite): Promise<void> {
    const before = await write.observe();
    const seq = await lastSeq();
    faults.armed = true;
    const crashes = faults.crashes;
    let crashed: TestResponse;
    try {
      crashed = await write.send();
    } finally {
      faults.armed = false;
    }
    expect(faults.crashes).toBe(crashes + 1);
    expect(crashed.status).toBe(500);
    expect(await write.observe()).toEqual(before);
    expect(await entriesAfter(seq)).toEqual([]);

    const done = await write.send();
    expect(done.status, JSON.stringify(done.body)).toBeLessThan(300);
    expect(await write.observe()).not.toEqual(before);
    expect((await entriesAfter(seq)).map((row) => row.action)).toEqual([write.action]);
  }

  const api = (token: string, method: string, path: string, body?: unknown) => () => m.request(method, `/api/v1${path}`, { token, ...(body === undefined ? {} : { body }) });
  const company = async () => store().getCompany('cmp_demo');

  it('automatic refill, card, daily cap and the high-risk switch', async () => {
    await expectAtomic({ action: 'refill.changed', send: api(admin, 'PUT', '/wallet/auto-refill', { enabled: false, thresholdMinor: 700, amountMinor: 2500 }), observe: async () => (await company())?.autoRefillThresholdMinor });
    await expectAtomic({
      action: 'card.changed', send: api(admin, 'PUT', '/wallet/card', { number: '5555555555554444', expMonth: 12, expYear: 2099, cvc: '123' }),
      observe: async () => (await store().getCard('cmp_demo'))?.last4,
    });
    await expectAtomic({ action: 'daily_cap.changed', send: api(admin, 'PUT', '/company/daily-cap', { dailyCapMinor: 4321 }), observe: async () => (await company())?.dailyCapMinor });
    await expectAtomic({ action: 'high_risk.changed', send: api(admin, 'PUT', '/company/high-risk', { allowed: true }), observe: async () => (await company())?.highRiskAllowed });
  });

  it('barring, outside calls and a monthly budget of one person', async () => {
    const bruno = 'usr_demo_1002';
    const barred = (await store().getUser(bruno))?.premiumBarred;
    await expectAtomic({ action: 'barring.changed', send: api(admin, 'PUT', `/users/${bruno}/barring`, { premiumBarred: !barred }), observe: async () => (await store().getUser(bruno))?.premiumBarred });
    await expectAtomic({
      action: 'outside_calls.changed', send: api(admin, 'PUT', `/users/${bruno}/outside-calls`, { scope: 'countries', countries: ['GB'] }),
      observe: async () => (await store().getOutsideCalls(bruno))?.countries ?? null,
    });
    await expectAtomic({ action: 'budget.changed', send: api(admin, 'PUT', `/users/${bruno}/budget`, { monthlyBudgetMinor: 1234 }), observe: async () => (await store().getUserBudget(bruno))?.monthlyBudgetMinor ?? null });
  });

  it('a top-up: a crash after the card was charged leaves the money and the entry out; recovery adds both once; a replay adds nothing', async () => {
    const balance = async () => (await company())?.balanceMinor;
    const before = await balance();
    const seq = await lastSeq();
    const topUp = () => m.request('POST', '/api/v1/wallet/topups', { token: admin, body: { amountMinor: 1000, currency: 'EUR' }, headers: { 'idempotency-key': `atomic-${backendName}` } });
    faults.armed = true;
    let crashed: TestResponse;
    try {
      crashed = await topUp();
    } finally {
      faults.armed = false;
    }
    expect(crashed.status).toBe(500);
    expect(await balance()).toBe(before);
    expect(await entriesAfter(seq)).toEqual([]);
    // The pending top-up is finished by recovery (the processor replays its approval): money and entry together.
    expect((await m.manager.context.wallet.recoverPending(0)).topUps).toBe(1);
    expect(await balance()).toBe((before ?? 0) + 1000);
    const replay = await topUp();
    expect(replay.status).toBe(201);
    const entries = await entriesAfter(seq);
    expect(entries.map((row) => [row.action, row.actorLabel, row.target])).toEqual([['funds.added', 'alice@cabine.test', replay.body.topUp.id]]);
    expect(await balance()).toBe((before ?? 0) + 1000);

    await expectAtomic({ action: 'topup.cancelled', send: api(care, 'POST', `/care/topups/${replay.body.topUp.id as string}/cancel`, { reason: 'atomicity test' }), observe: async () => (await store().getTopUp(replay.body.topUp.id as string))?.status });
  });

  it('company numbers and ring groups, from customer care and the admin', async () => {
    const numbers = async () => (await store().numbers.ofCompany('cmp_demo')).map((row) => [row.e164, row.targetUserId, row.main]);
    await expectAtomic({ action: 'number.added', send: api(care, 'POST', '/care/companies/cmp_demo/numbers', { e164: '+33199004321' }), observe: numbers });
    const id = (await store().numbers.ofCompany('cmp_demo')).find((row) => row.e164 === '+33199004321')?.id ?? '';
    await expectAtomic({ action: 'number.assigned', send: api(admin, 'PUT', `/numbers/${id}/assignment`, { kind: 'user', userId: 'usr_demo_1002' }), observe: numbers });
    await expectAtomic({ action: 'main_number.changed', send: api(admin, 'PUT', '/company/main-number', { numberId: id }), observe: numbers });
    await expectAtomic({
      action: 'ring_group.saved', send: api(admin, 'POST', '/ring-groups', { name: 'Atomic team', memberIds: ['usr_demo_1002'] }),
      observe: async () => (await store().numbers.groups('cmp_demo')).map((group) => group.name),
    });
    await expectAtomic({ action: 'number.removed', send: api(care, 'POST', `/care/numbers/${id}/remove`), observe: numbers });
  });

  it('people and password links: a rolled-back reset mails nothing', async () => {
    await expectAtomic({
      action: 'person.added', send: api(admin, 'POST', '/people', { displayName: 'Atomic Person', email: `atomic-${backendName}@cabine.test` }),
      observe: async () => (await store().getUserByEmail(`atomic-${backendName}@cabine.test`))?.id ?? null,
    });
    const mailsToBruno = async () => ((await m.request('GET', '/dev/outbox.json')).body as { messages: Array<{ to: string }> }).messages.filter((mail) => mail.to === 'bruno@cabine.test').length;
    await expectAtomic({ action: 'password.link_sent', send: api(admin, 'POST', '/people/usr_demo_1002/password-reset'), observe: mailsToBruno });
  });

  it('a refused write leaves no entry: another company\'s person, an employee acting as admin, a bad amount', async () => {
    await addCompany(m.repository, `cmp_other_${backendName}`, `other-${backendName}.test`, `boss-${backendName}@other.test`, 'other-password');
    const employee = await m.signIn('bruno@cabine.test', 'cabine-1002');
    const seq = await lastSeq();
    expect((await api(admin, 'PUT', `/users/usr_cmp_other_${backendName}_admin/budget`, { monthlyBudgetMinor: 500 })()).status).toBe(404);
    expect((await api(employee, 'PUT', '/company/daily-cap', { dailyCapMinor: 100 })()).status).toBe(403);
    expect((await api(admin, 'PUT', '/wallet/auto-refill', { enabled: true, thresholdMinor: 500, amountMinor: 1 })()).status).toBe(422);
    expect(await entriesAfter(seq)).toEqual([]);
  });
});
