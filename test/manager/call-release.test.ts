/**
 * A reservation is released on every way an attempt can fail, including a release that reaches the
 * manager before (or instead of) the authorize it belongs to: the proxy gave up after its 1 s timeout.
 * Every ordering of authorize, release and complete for one call id, and many concurrent interleavings of
 * authorize and release, leave nothing reserved and charge at most once. Real HTTP, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCallResponseSchema, completeCallResponseSchema, releaseCallResponseSchema } from '../../shared/api/call-schemas';
import { walletViewSchema } from '../../shared/api/wallet-schemas';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager } from './support/manager-harness';

/** +1 212: 0.0220 EUR/min, 30/6 in the sample deck; with a 60 s service maximum a reservation holds 3 cents. */
const number = '+12125550100';
const pairs = 200;
/**
 * When each request of pair `index` starts: pairs are staggered by one authorize's measured duration (so
 * the two of a pair race each other, not a queue of 400 requests), and within a pair the release starts at a random moment from half an
 * authorize's measured duration before it to one and a half after it started: before it, during its
 * transaction, or after its commit. The figures printed show every order happens on both databases.
 */
const at = (startMs: number, offsetMs = 0) => new Promise((resolveWait) => setTimeout(resolveWait, Math.max(0, startMs + offsetMs)));
const offsetWithin = (authorizeMs: number) => Math.round((Math.random() * 2 - 0.5) * authorizeMs);

let keyCounter = 0;

describe.each<BackendName>(['sqlite', 'postgres'])('releasing call attempts on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  /** A second instance on the same database (PostgreSQL only): releases may land on another manager. */
  let other: RunningManager;
  let companyCounter = 0;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    const env = { ...(await backend.freshEnv()), CABINE_MAX_CALL_SECONDS: '60' };
    m = await startManager(env);
    other = backendName === 'postgres' ? await startManager({ ...backend.sameDatabase(env), CABINE_SEED_DEMO: 'false' }) : m;
  });

  afterAll(async () => {
    expect((await m.repository.store.checkIntegrity()).problems).toEqual([]);
    if (other !== m) await other.close();
    await m.close();
    await backend.stop();
  });

  /** A company of its own with 25.00 EUR, so every figure below is exact. */
  const freshCompany = async () => {
    companyCounter += 1;
    const id = `cmp_rel_${backendName}_${companyCounter}`;
    const sipDomain = `rel-${companyCounter}.test`;
    const email = `rel-boss-${companyCounter}@other.test`;
    await addCompany(m.repository, id, sipDomain, email, 'other-password');
    const token = await m.signIn(email, 'other-password');
    expect((await m.request('PUT', '/api/v1/wallet/card', { token, body: { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' } })).status).toBe(200);
    const topUp = await m.request('POST', '/api/v1/wallet/topups', { token, body: { amountMinor: 2500, currency: 'EUR' }, headers: { 'idempotency-key': `release-${backendName}-${keyCounter++}` } });
    expect(topUp.status).toBe(201);
    const authorize = async (callId: string, dialed = number, via = m) => {
      const response = await via.proxy('/api/v1/calls/authorize', { callId, callerExtension: '1001', sipDomain, dialed });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return authorizeCallResponseSchema.parse(response.body);
    };
    const release = async (callId: string, via = m) => {
      const response = await via.proxy('/api/v1/calls/release', { callId });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return releaseCallResponseSchema.parse(response.body);
    };
    const complete = (callId: string, answeredSeconds: number) => m.proxy('/api/v1/calls/complete', { callId, answeredSeconds });
    const wallet = async () => walletViewSchema.parse((await m.request('GET', '/api/v1/wallet', { token })).body);
    /** What the ledger says, read from the rows: the balance must equal the sum of the wallet's entries. */
    const money = async () => {
      const ledger = await m.repository.store.listLedger(id, null, 1_000_000);
      const company = await m.repository.store.getCompany(id);
      const charges = ledger.filter((txn) => txn.kind === 'call_charge');
      return {
        balanceMinor: company?.balanceMinor ?? -1,
        ledgerSumMinor: ledger.reduce((total, txn) => total + txn.walletDeltaMinor, 0),
        charges: charges.length,
        chargedMinor: charges.reduce((total, txn) => total - txn.walletDeltaMinor, 0),
        // Every active reservation, expired or not: an orphan would show here even after its expiry.
        activeReservedMinor: await m.repository.store.sumActiveReservations(id, 0),
      };
    };
    /** Average time of one authorize (then released) on this backend, in ms. */
    const authorizeMs = async () => {
      const started = performance.now();
      for (let i = 0; i < 10; i += 1) await authorize(`probe-${id}-${i}`);
      const ms = (performance.now() - started) / 10;
      for (let i = 0; i < 10; i += 1) await release(`probe-${id}-${i}`);
      return ms;
    };
    return { id, authorize, release, complete, wallet, money, authorizeMs };
  };

  it('a release for a call id it never saw leaves a tombstone: a later authorize is refused and reserves nothing', async () => {
    const c = await freshCompany();
    const first = await c.release('late-1');
    expect(first).toEqual({ callId: 'late-1', status: 'released', chargedMinor: 0, billedSeconds: 0, currency: null, balanceMinor: null, tombstone: true });
    // Idempotent, on any instance.
    expect(await c.release('late-1', other)).toEqual(first);
    const late = await c.authorize('late-1');
    expect(late).toMatchObject({ allowed: false, reason: 'released', reservedMinor: 0, maxDurationSeconds: 0 });
    expect(await c.authorize('late-1', number, other)).toMatchObject({ allowed: false, reason: 'released' });
    // The attacker's variant: a free (included) number under the tombstoned id is refused as well.
    expect(await c.authorize('late-1', '01 42 68 53 00')).toMatchObject({ allowed: false, reason: 'released' });
    expect((await c.complete('late-1', 30)).status).toBe(404);
    // Emergency calls never depend on it.
    expect(await c.authorize('late-1', '112')).toMatchObject({ allowed: true, kind: 'emergency' });
    expect(await c.money()).toEqual({ balanceMinor: 2500, ledgerSumMinor: 2500, charges: 0, chargedMinor: 0, activeReservedMinor: 0 });
    expect((await c.wallet()).reservedMinor).toBe(0);
  });

  it('never reserves twice for one call id, and replays a refusal', async () => {
    const c = await freshCompany();
    const [a, b] = await Promise.all([c.authorize('twice-1'), c.authorize('twice-1', number, other)]);
    expect(a).toMatchObject({ allowed: true, reservedMinor: 3 });
    expect(b).toEqual({ ...a, balanceMinor: b.balanceMinor });
    expect((await c.money()).activeReservedMinor).toBe(3);
    await c.release('twice-1');
    expect((await c.money()).activeReservedMinor).toBe(0);
    // After the release the id is spent: a repeat is refused instead of being let through unpaid.
    expect(await c.authorize('twice-1')).toMatchObject({ allowed: false, reason: 'released', reservedMinor: 0 });
  });

  it('complete and release in every order: idempotent, charged at most once, nothing left reserved', async () => {
    const c = await freshCompany();
    // release after complete, double complete
    await c.authorize('ord-1');
    const done = completeCallResponseSchema.parse((await c.complete('ord-1', 30)).body);
    expect(done).toMatchObject({ status: 'completed', chargedMinor: 2 });
    expect((await c.complete('ord-1', 59)).body).toEqual(done);
    expect(await c.release('ord-1')).toMatchObject({ status: 'completed', chargedMinor: 2, tombstone: false });
    expect(await c.authorize('ord-1')).toMatchObject({ allowed: false, reason: 'released' });
    // complete after release, double release
    await c.authorize('ord-2');
    expect(await c.release('ord-2')).toMatchObject({ status: 'released', chargedMinor: 0, tombstone: false });
    expect(await c.release('ord-2', other)).toMatchObject({ status: 'released', chargedMinor: 0, tombstone: false });
    expect((await c.complete('ord-2', 30)).body).toMatchObject({ status: 'released', chargedMinor: 0 });
    // release before authorize, then complete (a confused or hostile proxy): still nothing
    await c.release('ord-3');
    expect(await c.authorize('ord-3')).toMatchObject({ allowed: false, reason: 'released' });
    expect((await c.complete('ord-3', 30)).status).toBe(404);
    expect(await c.money()).toEqual({ balanceMinor: 2498, ledgerSumMinor: 2498, charges: 1, chargedMinor: 2, activeReservedMinor: 0 });
  });

  it(`${pairs} authorize/release pairs fired together with random offsets leave nothing reserved`, async () => {
    const c = await freshCompany();
    const authorizeMs = await c.authorizeMs();
    const outcomes = await Promise.all(Array.from({ length: pairs }, async (_unused, index) => {
      const callId = `race-${index}`;
      // Half the releases go to the other instance (PostgreSQL).
      const releaseVia = index % 2 === 0 ? other : m;
      const [auth] = await Promise.all([
        at(index * authorizeMs).then(() => c.authorize(callId)),
        at(index * authorizeMs, offsetWithin(authorizeMs)).then(() => c.release(callId, releaseVia)),
      ]);
      return auth;
    }));
    const allowed = outcomes.filter((auth) => auth.allowed).length;
    const tombstoned = outcomes.filter((auth) => auth.reason === 'released').length;
    // Whatever the order, each pair ends released: the authorize either came first (then the release freed
    // it) or found the tombstone.
    expect(allowed + tombstoned).toBe(pairs);
    const after = await c.money();
    expect(after).toEqual({ balanceMinor: 2500, ledgerSumMinor: 2500, charges: 0, chargedMinor: 0, activeReservedMinor: 0 });
    expect((await c.wallet()).reservedMinor).toBe(0);
    console.info(`${backendName}: ${pairs} concurrent authorize/release pairs (authorize ${authorizeMs.toFixed(1)} ms): ${allowed} authorized then released, ${tombstoned} refused by a tombstone; reserved at the end ${after.activeReservedMinor}, balance ${after.balanceMinor} = ledger ${after.ledgerSumMinor}`);
  });

  it(`${pairs} authorized calls whose complete and release race each other are charged at most once`, async () => {
    const c = await freshCompany();
    for (let index = 0; index < pairs; index += 1) expect(await c.authorize(`cr-${index}`)).toMatchObject({ allowed: true });
    const results = await Promise.all(Array.from({ length: pairs }, async (_unused, index) => {
      const callId = `cr-${index}`;
      const [done, released] = await Promise.all([
        at(index * 2, offsetWithin(4)).then(() => c.complete(callId, 30)),
        at(index * 2, offsetWithin(4)).then(() => c.release(callId, index % 2 === 0 ? other : m)),
      ]);
      expect(done.status).toBe(200);
      // Both answers tell the same story: the one that came first decided it.
      expect(released.status).toBe(done.body.status);
      return completeCallResponseSchema.parse(done.body);
    }));
    const completed = results.filter((result) => result.status === 'completed').length;
    const after = await c.money();
    expect(results.filter((result) => result.status === 'completed').every((result) => result.chargedMinor === 2)).toBe(true);
    expect(after).toEqual({ balanceMinor: 2500 - completed * 2, ledgerSumMinor: 2500 - completed * 2, charges: completed, chargedMinor: completed * 2, activeReservedMinor: 0 });
    console.info(`${backendName}: ${pairs} concurrent complete/release pairs: ${completed} completed (charged once each), ${pairs - completed} released; reserved at the end ${after.activeReservedMinor}, balance ${after.balanceMinor} = ledger ${after.ledgerSumMinor}`);
  });
});
