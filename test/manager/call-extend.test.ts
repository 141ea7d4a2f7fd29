/**
 * POST /api/v1/calls/extend: interim re-authorization of a call in progress (RFC 4006 CCR-Update style).
 * After a top-up the proxy may let a paid call run longer; without new money nothing changes; other calls'
 * reservations and the daily cap still bound it; an ended call is refused. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCallResponseSchema, completeCallResponseSchema, extendCallResponseSchema } from '../../shared/api/call-schemas';
import { errorBodySchema } from '../../shared/api/common-schemas';
import { walletViewSchema } from '../../shared/api/wallet-schemas';
import { callCostMinor, maxFundedSeconds, type Tariff } from '../../shared/rating/tariff';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager, TestClock } from './support/manager-harness';

/** 1340 U.S. Virgin Islands in the sample deck: 0.3220 EUR/min, per second. */
const virginIslands: Tariff = { pricePerMinute: 3220, connectionFee: 0, increment: { first: 1, next: 1 } };
const number = '+13405550100';
/** The service maximum in these tests (the manager's minimum), so a 50-cent wallet is not "unlimited". */
const maxCallSeconds = 60;
const funded = (availableMinor: number): number => maxFundedSeconds(virginIslands, availableMinor, 'EUR', maxCallSeconds);

let keyCounter = 0;

describe.each<BackendName>(['sqlite', 'postgres'])('extending calls in progress on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let adminToken: string;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager({ ...(await backend.freshEnv()), CABINE_TOPUP_AMOUNTS: '5,50,1000,2500', CABINE_MAX_CALL_SECONDS: String(maxCallSeconds) }, { now: new TestClock().now });
    adminToken = await m.signIn('alice@cabine.test', 'cabine-1001');
  });

  afterAll(async () => {
    expect((await m.repository.store.checkIntegrity()).problems).toEqual([]);
    await m.close();
    await backend.stop();
  });

  const wallet = async () => walletViewSchema.parse((await m.request('GET', '/api/v1/wallet', { token: adminToken })).body);
  const topUp = async (amountMinor: number): Promise<void> => {
    const response = await m.request('POST', '/api/v1/wallet/topups', { token: adminToken, body: { amountMinor, currency: 'EUR' }, headers: { 'idempotency-key': `extend-${backendName}-${keyCounter++}` } });
    expect(response.status).toBe(201);
  };
  let companyCounter = 0;
  let sipDomain = 'cabine.test';
  /** Each test gets its own company (empty wallet, a sandbox card on file), so the amounts below are exact. */
  const freshWallet = async (): Promise<void> => {
    companyCounter += 1;
    const id = `cmp_ext_${companyCounter}`;
    sipDomain = `ext-${companyCounter}.test`;
    const email = `ext-boss-${companyCounter}@other.test`;
    await addCompany(m.repository, id, sipDomain, email, 'other-password');
    adminToken = await m.signIn(email, 'other-password');
    expect((await m.request('PUT', '/api/v1/wallet/card', { token: adminToken, body: { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' } })).status).toBe(200);
    expect((await wallet()).balanceMinor).toBe(0);
  };
  const authorize = async (callId: string, dialed = number) => authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId, callerExtension: '1001', sipDomain, dialed })).body);
  const extend = (callId: string) => m.proxy('/api/v1/calls/extend', { callId });
  const extendOk = async (callId: string) => {
    const response = await extend(callId);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return extendCallResponseSchema.parse(response.body);
  };
  const complete = async (callId: string, answeredSeconds: number) => completeCallResponseSchema.parse((await m.proxy('/api/v1/calls/complete', { callId, answeredSeconds })).body);

  it('lengthens a call after a top-up, not without new money, and charges within the new cap', async () => {
    await freshWallet();
    await topUp(5);
    const auth = await authorize('ext-1');
    expect(auth).toMatchObject({ allowed: true, charged: true, maxDurationSeconds: funded(5) });
    expect(auth.maxDurationSeconds).toBe(9);

    // No new money: same maximum, nothing written.
    expect(await extendOk('ext-1')).toEqual({ callId: 'ext-1', maxDurationSeconds: 9, extended: false });
    expect((await wallet()).reservedMinor).toBe(callCostMinor(virginIslands, 9, 'EUR'));

    // The admin adds 5 cents during the call: the call may now use all 10.
    await topUp(5);
    expect(await extendOk('ext-1')).toEqual({ callId: 'ext-1', maxDurationSeconds: funded(10), extended: true });
    expect(funded(10)).toBe(18);
    const view = await wallet();
    expect(view.reservedMinor).toBe(callCostMinor(virginIslands, 18, 'EUR'));
    expect(view.availableMinor).toBe(0);
    // Idempotent: asking again changes nothing.
    expect(await extendOk('ext-1')).toEqual({ callId: 'ext-1', maxDurationSeconds: 18, extended: false });

    // Hung up after 14 answered seconds: charged for exactly those (beyond the first 9 s the old cap allowed).
    const done = await complete('ext-1', 14);
    expect(done).toMatchObject({ status: 'completed', billedSeconds: 14, chargedMinor: callCostMinor(virginIslands, 14, 'EUR'), balanceMinor: 10 - callCostMinor(virginIslands, 14, 'EUR') });
    expect((await wallet()).reservedMinor).toBe(0);

    // An ended call cannot be extended.
    const late = await extend('ext-1');
    expect(late.status).toBe(409);
    expect(errorBodySchema.parse(late.body).error).toMatchObject({ code: 'conflict', message: expect.stringContaining('completed') });
  });

  it('caps the charge at the extended maximum', async () => {
    await freshWallet();
    await topUp(5);
    expect((await authorize('ext-cap')).maxDurationSeconds).toBe(9);
    await topUp(5);
    expect((await extendOk('ext-cap')).maxDurationSeconds).toBe(18);
    // A proxy reporting more than the authorized maximum is charged for the maximum only.
    expect(await complete('ext-cap', 40)).toMatchObject({ billedSeconds: 18, chargedMinor: callCostMinor(virginIslands, 18, 'EUR'), balanceMinor: 0 });
  });

  it('leaves other calls their reservations, and never goes past the service maximum', async () => {
    await freshWallet();
    await topUp(50);
    const first = await authorize('ext-a');
    expect(first.maxDurationSeconds).toBe(maxCallSeconds);
    const held = callCostMinor(virginIslands, maxCallSeconds, 'EUR');
    const second = await authorize('ext-b');
    expect(second.maxDurationSeconds).toBe(funded(50 - held));

    await topUp(5);
    // The second call gets the new money, not the first call's reservation.
    expect(await extendOk('ext-b')).toEqual({ callId: 'ext-b', maxDurationSeconds: funded(55 - held), extended: true });
    expect(funded(55 - held)).toBeGreaterThan(second.maxDurationSeconds);
    // The first call is already at the service maximum.
    expect(await extendOk('ext-a')).toEqual({ callId: 'ext-a', maxDurationSeconds: maxCallSeconds, extended: false });
    const view = await wallet();
    expect(view.reservedMinor).toBeLessThanOrEqual(view.balanceMinor);

    // A released call cannot be extended either.
    await m.proxy('/api/v1/calls/release', { callId: 'ext-b' });
    expect((await extend('ext-b')).status).toBe(409);
    await complete('ext-a', 1);
  });

  it('refills at once when refill is turned on below the level, and while a call holds the funds', async () => {
    await freshWallet();
    // Turned on with nothing in the wallet: the refill runs at once (auto-refill.test.ts goes through every case).
    expect((await m.request('PUT', '/api/v1/wallet/auto-refill', { token: adminToken, body: { enabled: true, thresholdMinor: 40, amountMinor: 50 } })).status).toBe(200);
    await m.manager.context.wallet.settle();
    expect((await wallet()).balanceMinor).toBe(50);
    // The call holds the cost of 60 s: the 17 cents left available are below the level, so the refill runs while it is live.
    const held = callCostMinor(virginIslands, maxCallSeconds, 'EUR');
    expect((await authorize('ext-own')).maxDurationSeconds).toBe(maxCallSeconds);
    await m.manager.context.wallet.settle();
    expect(await wallet()).toMatchObject({ balanceMinor: 100, reservedMinor: held });
    expect((await complete('ext-own', maxCallSeconds)).chargedMinor).toBe(held);
  });

  it('respects the daily cap', async () => {
    await freshWallet();
    await topUp(50);
    const spent = (await wallet()).spentTodayMinor;
    expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: spent + 5 } })).status).toBe(200);
    try {
      expect((await authorize('ext-daily')).maxDurationSeconds).toBe(funded(5));
      await topUp(50);
      // The wallet could fund more, the cap cannot.
      expect(await extendOk('ext-daily')).toEqual({ callId: 'ext-daily', maxDurationSeconds: funded(5), extended: false });
      expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: spent + 10 } })).status).toBe(200);
      expect(await extendOk('ext-daily')).toEqual({ callId: 'ext-daily', maxDurationSeconds: funded(10), extended: true });
    } finally {
      expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: null } })).status).toBe(200);
    }
    await m.proxy('/api/v1/calls/release', { callId: 'ext-daily' });
  });

  it('answers free calls with their maximum, unknown calls with 404, and checks the caller and the body', async () => {
    const free = await authorize('ext-free', '+442079460000');
    expect(free).toMatchObject({ allowed: true, charged: false });
    expect(await extendOk('ext-free')).toEqual({ callId: 'ext-free', maxDurationSeconds: free.maxDurationSeconds, extended: false });
    await m.proxy('/api/v1/calls/release', { callId: 'ext-free' });

    const unknown = await extend('never-authorized');
    expect(unknown.status).toBe(404);
    expect(errorBodySchema.parse(unknown.body).error.code).toBe('not_found');
    expect((await extend('has space')).status).toBe(400);
    expect((await m.proxy('/api/v1/calls/extend', { callId: 'x', maxDurationSeconds: 99 })).status).toBe(400);
    expect((await m.request('POST', '/api/v1/calls/extend', { body: { callId: 'ext-free' } })).status).toBe(401);
  });

  it('is safe under concurrency: two extends, and an extend racing a complete', async () => {
    await freshWallet();
    await topUp(5);
    expect((await authorize('ext-race')).maxDurationSeconds).toBe(9);
    await topUp(5);
    const both = await Promise.all([extendOk('ext-race'), extendOk('ext-race')]);
    expect(both.map((answer) => answer.maxDurationSeconds)).toEqual([18, 18]);
    expect(both.filter((answer) => answer.extended)).toHaveLength(1);
    expect((await wallet()).reservedMinor).toBe(callCostMinor(virginIslands, 18, 'EUR'));
    await complete('ext-race', 3);

    for (let round = 0; round < 5; round += 1) {
      await freshWallet();
      await topUp(5);
      const callId = `ext-race-${round}`;
      expect((await authorize(callId)).maxDurationSeconds).toBe(9);
      await topUp(5);
      const [extended, completed] = await Promise.all([extend(callId), complete(callId, 15)]);
      // Either order is fine; what matters is one charge, within the maximum in force when it was made.
      if (extended.status === 200) {
        const answer = extendCallResponseSchema.parse(extended.body);
        expect(answer.maxDurationSeconds).toBe(18);
        expect(completed.chargedMinor).toBe(callCostMinor(virginIslands, answer.extended ? 15 : 9, 'EUR'));
      } else {
        expect(extended.status).toBe(409);
        expect(completed.chargedMinor).toBe(callCostMinor(virginIslands, 9, 'EUR'));
      }
      expect((await wallet()).reservedMinor).toBe(0);
    }
  });
});
