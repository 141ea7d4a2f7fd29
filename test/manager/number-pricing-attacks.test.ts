/**
 * Nothing priced wrong can be used to call for free or cheaply: the manager's authorize (what the proxy asks
 * before every outside call) classifies the dialled string itself, whatever the app said, and
 *   - bars premium-rate numbers for a barred employee however they are written (separators, national form,
 *     00 prefix, +1 900 from a French and from a US company), reserving nothing;
 *   - prices a premium number at the deck's premium row, never at the country's landline row, and refuses it
 *     (no_rate) with a deck that has no premium row for that country;
 *   - prices Jamaica (+1 658) as Jamaica, not as the US;
 *   - lets free public-service numbers (3919, 3114, 116xxx) through for everyone, never barred, never charged;
 *   - never reads the French 10YT operator numbers as extensions.
 * Real HTTP and real SQLite and PostgreSQL.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCallResponseSchema } from '../../shared/api/call-schemas';
import { quoteResponseSchema } from '../../shared/api/rate-schemas';
import { hashPassword } from '../../manager/src/auth/password-hashing';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { startBackend, startManager } from './support/manager-harness';

/** One US premium-rate number (+1 900 555 1234) written the ways an attacker would try, from France. */
const usPremiumFromFrance = ['+1 900 555 1234', '+1-900-555-1234', '+1 (900) 555.1234', '001 900 555 1234', '0019005551234', '+19005551234'];
/** French premium-rate and paid short numbers, every way of writing them. */
const frenchPremium = ['0899 123 456', '08 99 12 34 56', '08.99.12.34.56', '(0899) 123-456', '+33 8 99 12 34 56', '0033899123456', '3237', '32 37'];
/** Free public-service numbers (ARCEP PNN 2.4.9, EU Decision 2007/116/EC). */
const freeServices = ['3919', '3114', '3020', '116 123', '116111', '116006'];

describe.each<BackendName>(['sqlite', 'postgres'])('pricing attacks on authorize (%s)', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let counter = 0;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager(await backend.freshEnv());
    // A US company, to dial +1 900 the way a NANP caller does (national and 011 forms).
    const passwordHash = await hashPassword('us-admin-pass', 12);
    await m.repository.transaction(async (tx) => {
      await tx.insertCompany({
        id: 'cmp_us', name: 'US Co', currency: 'EUR', country: 'US', sipDomain: 'us.cabine.test', balanceMinor: 0, lastSeq: 0, autoRefillEnabled: false,
        autoRefillThresholdMinor: 500, autoRefillAmountMinor: 2500, autoRefillDeclines: 0, autoRefillDisabledReason: null, dailyCapMinor: null, highRiskAllowed: false, createdAt: Date.now(),
      });
      await tx.insertUser({ id: 'usr_us_1001', companyId: 'cmp_us', email: 'us@cabine.test', displayName: 'US Employee', role: 'employee', extension: '1001', passwordHash, premiumBarred: true, createdAt: Date.now() });
    });
  });

  afterAll(async () => {
    expect((await m.repository.store.checkIntegrity()).problems).toEqual([]);
    await m.close();
    await backend.stop();
  });

  /** Authorizes; an allowed call is released at once so nothing stays reserved. */
  const authorize = async (callerExtension: string, dialed: string, sipDomain?: string) => {
    counter += 1;
    const callId = `attack-${counter}`;
    const answer = authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId, callerExtension, dialed, ...(sipDomain ? { sipDomain } : {}) })).body);
    if (answer.allowed) expect((await m.proxy('/api/v1/calls/release', { callId })).status).toBe(200);
    return answer;
  };
  const money = async (companyId = 'cmp_demo') => ({
    balanceMinor: (await m.repository.store.getCompany(companyId))?.balanceMinor,
    ledger: (await m.repository.store.listLedger(companyId, null, 1_000_000)).length,
    reservedMinor: await m.repository.store.sumActiveReservations(companyId, 0),
  });

  it('bars every written form of a premium number for a barred employee (1002), reserving nothing', async () => {
    const before = await money();
    for (const dialed of [...usPremiumFromFrance, ...frenchPremium, '+44 70 1234 5678', '118 712']) {
      const answer = await authorize('1002', dialed);
      expect(answer, dialed).toMatchObject({ allowed: false, reason: 'barred', reservedMinor: 0, maxDurationSeconds: 0 });
      expect(['premium', 'directory'], dialed).toContain(answer.kind);
    }
    expect(await money()).toEqual(before);
  });

  it('bars +1 900 dialled by a US company in national, 1+ and 011 forms', async () => {
    const before = await money('cmp_us');
    for (const dialed of ['900 555 1234', '1 900 555 1234', '(900) 555-1234', '011 1 900 555 1234', '+1 900 555 1234']) {
      expect(await authorize('1001', dialed, 'us.cabine.test'), dialed).toMatchObject({ allowed: false, reason: 'barred', kind: 'premium', reservedMinor: 0 });
    }
    expect(await money('cmp_us')).toEqual(before);
  });

  it('prices +1 900 at the premium row for an employee who may call it (1001), never at the US landline row', async () => {
    const premium = await authorize('1001', '001 900 555 1234');
    const landline = await authorize('1001', '+1 212 555 0100');
    expect(premium).toMatchObject({ allowed: true, kind: 'premium', charged: true, e164: '+19005551234' });
    expect(landline).toMatchObject({ allowed: true, kind: 'international', charged: true });
    const token = await m.signIn('alice@cabine.test', 'cabine-1001');
    const quote = quoteResponseSchema.parse((await m.request('GET', `/api/v1/quote?number=${encodeURIComponent('+1-900-555-1234')}`, { token })).body);
    expect(quote.rate).toMatchObject({ country: 'US', numberType: 'premium' });
    expect(quote.verdict).toMatchObject({ allowed: true, confirm: 'premium' });
    // The same balance buys far fewer premium seconds than landline seconds.
    expect(premium.maxDurationSeconds).toBeLessThan(landline.maxDurationSeconds);
  });

  it('prices Jamaica (+1 658) and a new Canadian area code as their own country', async () => {
    const token = await m.signIn('alice@cabine.test', 'cabine-1001');
    const rateOf = async (number: string) => quoteResponseSchema.parse((await m.request('GET', `/api/v1/quote?number=${encodeURIComponent(number)}`, { token })).body);
    expect((await rateOf('+1 658 555 1234'))).toMatchObject({ country: 'JM', rate: { country: 'JM' } });
    expect((await rateOf('+1 368 555 0100'))).toMatchObject({ country: 'CA', rate: { country: 'CA' } });
    expect((await rateOf('+1 212 555 0100'))).toMatchObject({ country: 'US', rate: { country: 'US' } });
  });

  it('lets free public-service numbers through for a barred, plan-only employee, uncharged', async () => {
    const admin = await m.signIn('alice@cabine.test', 'cabine-1001');
    expect((await m.request('PUT', '/api/v1/users/usr_demo_1002/outside-calls', { token: admin, body: { scope: 'plan' } })).status).toBe(200);
    const before = await money();
    for (const dialed of freeServices) {
      expect(await authorize('1002', dialed), dialed).toMatchObject({ allowed: true, kind: 'toll-free', charged: false, reservedMinor: 0 });
    }
    // And a paid 3BPQ number stays barred under the same scope.
    expect(await authorize('1002', '3615')).toMatchObject({ allowed: false, reason: 'barred' });
    expect(await money()).toEqual(before);
    expect((await m.request('PUT', '/api/v1/users/usr_demo_1002/outside-calls', { token: admin, body: { scope: 'all' } })).status).toBe(200);
  });

  it('never takes a French 10YT operator number for an extension', async () => {
    expect(await authorize('1001', '1014')).toMatchObject({ allowed: false, reason: 'invalid', reservedMinor: 0 });
    expect(await authorize('1001', '1002')).toMatchObject({ allowed: true, kind: 'internal', charged: false });
  });
});

describe('a deck without a premium row for the country', () => {
  let backend: Backend;
  let m: RunningManager;

  beforeAll(async () => {
    backend = await startBackend('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'cabine-deck-'));
    const deck = join(dir, 'deck.csv');
    // A supplier deck that prices "1" as US landline only: the classic way +1 900 used to be billed as a
    // cheap US call.
    writeFileSync(deck, 'prefix,destination,country,number_type,price_per_minute,connection_fee,increment,currency\n1,United States,US,landline,0.0100,0.0000,60/60,EUR\n');
    m = await startManager({ ...(await backend.freshEnv()), CABINE_RATE_DECK: deck });
  });

  afterAll(async () => {
    await m.close();
    await backend.stop();
  });

  it('refuses +1 900 with no_rate instead of pricing it as a US landline, and +1 658 Jamaica likewise', async () => {
    const before = await m.repository.store.sumActiveReservations('cmp_demo', 0);
    let n = 0;
    for (const dialed of ['+1 900 555 1234', '0019005551234', '+1 658 555 1234']) {
      n += 1;
      const answer = authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId: `deck-${n}`, callerExtension: '1001', dialed })).body);
      expect(answer, dialed).toMatchObject({ allowed: false, reason: 'no_rate', reservedMinor: 0 });
    }
    const us = authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId: 'deck-us', callerExtension: '1001', dialed: '+1 212 555 0100' })).body);
    expect(us).toMatchObject({ allowed: true, kind: 'international', prefix: '1' });
    expect((await m.proxy('/api/v1/calls/release', { callId: 'deck-us' })).status).toBe(200);
    expect(await m.repository.store.sumActiveReservations('cmp_demo', 0)).toBe(before);
  });
});
