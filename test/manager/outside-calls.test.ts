/**
 * Barring that covers what a fraudster wants: an admin limits each employee's outside calls to the plan,
 * to chosen countries, or allows everything (PUT /api/v1/users/:id/outside-calls), beside the separate
 * paid-service switch. Authorize refuses a barred destination with "barred" and reserves nothing, whatever
 * way the number is written; the quote says so first; emergency and plan calls always go; an employee cannot
 * lift their own limit; another company's ids are 404. Real HTTP, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsideCallsViewSchema } from '../../shared/api/barring-schemas';
import { authorizeCallResponseSchema } from '../../shared/api/call-schemas';
import { errorBodySchema } from '../../shared/api/common-schemas';
import { quoteResponseSchema } from '../../shared/api/rate-schemas';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager } from './support/manager-harness';

const bruno = 'usr_demo_1002';
/** A US number written the ways a caller (or an attacker probing the rule) might dial it. */
const usNumbers = ['+1 212 555 0100', '0012125550100', '+1 (212) 555-0100', '001-212-555-0100'];
const ukMobile = '+44 7400 900123';
const frLandline = '01 42 68 53 00';
const frTollFree = '0800 123 456';

describe.each<BackendName>(['sqlite', 'postgres'])('outside-call barring on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let adminToken: string;
  let brunoToken: string;
  let callCounter = 0;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager(await backend.freshEnv());
    adminToken = await m.signIn('alice@cabine.test', 'cabine-1001');
    brunoToken = await m.signIn('bruno@cabine.test', 'cabine-1002');
  });

  afterAll(async () => {
    expect((await m.repository.store.checkIntegrity()).problems).toEqual([]);
    await m.close();
    await backend.stop();
  });

  const setScope = (body: unknown, token = adminToken, userId = bruno) => m.request('PUT', `/api/v1/users/${userId}/outside-calls`, { token, body });
  const scopeOf = async (userId = bruno) => outsideCallsViewSchema.parse((await m.request('GET', `/api/v1/users/${userId}/outside-calls`, { token: adminToken })).body);
  /** Authorizes as Bruno (1002); an allowed call is released at once, so nothing stays reserved. */
  const call = async (dialed: string) => {
    callCounter += 1;
    const callId = `oc-${callCounter}`;
    const answer = authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId, callerExtension: '1002', dialed })).body);
    if (answer.allowed) expect((await m.proxy('/api/v1/calls/release', { callId })).status).toBe(200);
    return answer;
  };
  const quote = async (number: string) => quoteResponseSchema.parse((await m.request('GET', `/api/v1/quote?number=${encodeURIComponent(number)}`, { token: brunoToken })).body);
  /** Balance, what the ledger holds and what is reserved (every active reservation, expired or not). */
  const money = async () => {
    const company = await m.repository.store.getCompany('cmp_demo');
    const ledger = await m.repository.store.listLedger('cmp_demo', null, 1_000_000);
    return { balanceMinor: company?.balanceMinor, transactions: ledger.length, reservedMinor: await m.repository.store.sumActiveReservations('cmp_demo', 0) };
  };

  it('starts with everything allowed, as before', async () => {
    expect(await scopeOf()).toEqual({ userId: bruno, scope: 'all', countries: [], premiumBarred: true });
    expect(await call(usNumbers[0] ?? '')).toMatchObject({ allowed: true, charged: true });
  });

  it('plan only: nothing from the wallet, however the number is written; plan, free and emergency calls go', async () => {
    const before = await money();
    expect((await setScope({ scope: 'plan' })).body).toEqual({ userId: bruno, scope: 'plan', countries: [], premiumBarred: true });
    for (const dialed of [...usNumbers, ukMobile, '3615']) {
      expect(await call(dialed), dialed).toMatchObject({ allowed: false, reason: 'barred', reservedMinor: 0, maxDurationSeconds: 0 });
    }
    expect(await call(frLandline)).toMatchObject({ allowed: true, kind: 'included', charged: false, reservedMinor: 0 });
    expect(await call(frTollFree)).toMatchObject({ allowed: true, kind: 'toll-free', charged: false });
    expect(await call('112')).toMatchObject({ allowed: true, kind: 'emergency' });
    expect(await call('1001')).toMatchObject({ allowed: true, kind: 'internal' });
    const shown = await quote('+12125550100');
    expect(shown.warnings).toContain('barred');
    expect(shown.barredBy).toBe('plan_only');
    expect((await quote(frLandline)).warnings).not.toContain('barred');
    expect(await money()).toEqual(before);
  });

  it('chosen countries: only those beyond the plan; satellite and other countries are barred', async () => {
    // High-risk classes allowed for the company, so the user's own limit is what refuses the satellite call.
    expect((await m.request('PUT', '/api/v1/company/high-risk', { token: adminToken, body: { allowed: true } })).status).toBe(200);
    try {
      const before = await money();
      expect((await setScope({ scope: 'countries', countries: ['US', 'FR', 'BE'] })).body).toEqual({ userId: bruno, scope: 'countries', countries: ['BE', 'FR', 'US'], premiumBarred: true });
      expect(await scopeOf()).toMatchObject({ scope: 'countries', countries: ['BE', 'FR', 'US'] });
      for (const dialed of [ukMobile, '00447400900123', '+881 6 1234 5678', '+49 1512 3456789']) {
        expect(await call(dialed), dialed).toMatchObject({ allowed: false, reason: 'barred', reservedMinor: 0 });
      }
      expect((await quote(ukMobile)).barredBy).toBe('country');
      // The plan's calls stay allowed (a Belgian or British landline is included: no wallet, no limit).
      expect(await call(frLandline)).toMatchObject({ allowed: true, kind: 'included' });
      expect(await call('+44 20 7946 0000')).toMatchObject({ allowed: true, kind: 'included' });
      expect(await money()).toEqual(before);
      for (const dialed of usNumbers) expect(await call(dialed), dialed).toMatchObject({ allowed: true, charged: true });
      // The paid-service switch still applies inside an allowed country.
      expect(await call('0899 123 456')).toMatchObject({ allowed: false, reason: 'barred' });
      expect((await quote('0899 123 456')).barredBy).toBe('paid_service');
    } finally {
      expect((await m.request('PUT', '/api/v1/company/high-risk', { token: adminToken, body: { allowed: false } })).status).toBe(200);
    }
  });

  it('everything: back to the other rules only', async () => {
    expect((await setScope({ scope: 'all' })).status).toBe(200);
    expect(await call(ukMobile)).toMatchObject({ allowed: true, charged: true });
    expect((await quote(ukMobile)).barredBy).toBeNull();
    // Premium numbers remain barred by the independent switch.
    expect(await call('0899 123 456')).toMatchObject({ allowed: false, reason: 'barred' });
    expect((await quote('0899 123 456')).barredBy).toBe('paid_service');
  });

  it('an employee cannot lift their own limit, through any endpoint; nothing changes', async () => {
    expect((await setScope({ scope: 'plan' })).status).toBe(200);
    const before = await money();
    for (const body of [{ scope: 'all' }, { scope: 'countries', countries: ['US'] }]) {
      const response = await setScope(body, brunoToken);
      expect(response.status).toBe(403);
      expect(errorBodySchema.parse(response.body).error.code).toBe('forbidden');
    }
    expect((await m.request('GET', `/api/v1/users/${bruno}/outside-calls`, { token: brunoToken })).status).toBe(403);
    expect((await m.request('PUT', `/api/v1/users/${bruno}/barring`, { token: brunoToken, body: { premiumBarred: false } })).status).toBe(403);
    expect(await scopeOf()).toEqual({ userId: bruno, scope: 'plan', countries: [], premiumBarred: true });
    expect(await call(usNumbers[0] ?? '')).toMatchObject({ allowed: false, reason: 'barred' });
    expect(await money()).toEqual(before);
  });

  it('refuses malformed settings and another company\'s users, changing nothing', async () => {
    for (const body of [
      { scope: 'countries', countries: [] }, { scope: 'countries' }, { scope: 'all', countries: ['US'] }, { scope: 'countries', countries: ['ZZ'] },
      { scope: 'countries', countries: ['us'] }, { scope: 'countries', countries: ['US', 'US'] }, { scope: 'nowhere' }, { scope: 'all', premiumBarred: false },
    ]) {
      expect((await setScope(body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await setScope({ scope: 'all' }, adminToken, 'usr_nobody')).status).toBe(404);
    await addCompany(m.repository, `cmp_oc_${backendName}`, `oc-${backendName}.test`, `oc-boss-${backendName}@other.test`, 'other-password');
    const otherToken = await m.signIn(`oc-boss-${backendName}@other.test`, 'other-password');
    expect((await setScope({ scope: 'all' }, otherToken)).status).toBe(404);
    expect((await m.request('GET', `/api/v1/users/${bruno}/outside-calls`, { token: otherToken })).status).toBe(404);
    expect(await scopeOf()).toMatchObject({ scope: 'plan' });
    expect((await setScope({ scope: 'all' })).status).toBe(200);
  });
});
