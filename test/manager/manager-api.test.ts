import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { highRiskSettingSchema, sipConfigResponseSchema, signInResponseSchema } from '../../shared/api/auth-schemas';
import { authorizeCallResponseSchema, completeCallResponseSchema } from '../../shared/api/call-schemas';
import { errorBodySchema } from '../../shared/api/common-schemas';
import { quoteResponseSchema, ratesResponseSchema } from '../../shared/api/rate-schemas';
import { activityResponseSchema, topUpResponseSchema, walletEventSchema, walletViewSchema } from '../../shared/api/wallet-schemas';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager, TestClock, testSipSecret } from './support/manager-harness';

const alice = { email: 'alice@cabine.test', password: 'cabine-1001' };
const bruno = { email: 'bruno@cabine.test', password: 'cabine-1002' };
const care = { email: 'care@cabine.test', password: 'cabine-care' };

let keyCounter = 0;
const newKey = (): string => `test-key-${Date.now()}-${keyCounter++}`;

describe.each<BackendName>(['sqlite', 'postgres'])('manager API on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let clock: TestClock;
  let adminToken: string;
  let employeeToken: string;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    clock = new TestClock();
    m = await startManager(await backend.freshEnv(), { now: clock.now });
    adminToken = await m.signIn(alice.email, alice.password);
    employeeToken = await m.signIn(bruno.email, bruno.password);
  });

  afterAll(async () => {
    const report = await m.repository.store.checkIntegrity();
    expect(report.problems).toEqual([]);
    await m.close();
    await backend.stop();
  });

  const topUp = (amountMinor: unknown, key: string | null = newKey(), token = adminToken, currency: unknown = 'EUR') =>
    m.request('POST', '/api/v1/wallet/topups', { token, body: { amountMinor, currency }, headers: key === null ? {} : { 'idempotency-key': key } });
  const balance = async (): Promise<number> => walletViewSchema.parse((await m.request('GET', '/api/v1/wallet', { token: adminToken })).body).balanceMinor;
  const authorize = (callId: string, dialed: string, callerExtension = '1001') => m.proxy('/api/v1/calls/authorize', { callId, callerExtension, dialed });
  const complete = (callId: string, answeredSeconds: number) => m.proxy('/api/v1/calls/complete', { callId, answeredSeconds });
  const setHighRisk = (allowed: unknown, token = adminToken, target: RunningManager = m) => target.request('PUT', '/api/v1/company/high-risk', { token, body: { allowed } });

  describe('sign-in and identity', () => {
    it('signs in and returns a token and the user', async () => {
      const response = await m.request('POST', '/api/v1/auth/sign-in', { body: alice });
      expect(response.status).toBe(200);
      const body = signInResponseSchema.parse(response.body);
      expect(body.user).toMatchObject({ role: 'admin', extension: '1001', companyId: 'cmp_demo' });
      const me = await m.request('GET', '/api/v1/me', { token: body.token });
      expect(me.body.company.name).toBe('Cabine Démo');
    });

    it('refuses wrong passwords, unknown emails and malformed bodies with clear JSON errors', async () => {
      const wrong = await m.request('POST', '/api/v1/auth/sign-in', { body: { email: 'chloe@cabine.test', password: 'nope' } });
      expect(wrong.status).toBe(401);
      expect(errorBodySchema.parse(wrong.body).error.code).toBe('unauthorized');
      expect((await m.request('POST', '/api/v1/auth/sign-in', { body: { email: 'nobody@cabine.test', password: 'x' } })).status).toBe(401);
      const badType = await m.request('POST', '/api/v1/auth/sign-in', { body: { email: 42, password: ['x'] } });
      expect(badType.status).toBe(400);
      expect(badType.body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(['body.email', 'body.password']);
      const extra = await m.request('POST', '/api/v1/auth/sign-in', { body: { ...alice, admin: true } });
      expect(extra.status).toBe(400);
      expect(JSON.stringify(extra.body)).toContain('Unrecognized key');
      expect((await m.request('GET', '/api/v1/wallet')).status).toBe(401);
      expect((await m.request('GET', '/api/v1/wallet', { token: 'not-a-real-token-at-all-0123456789' })).status).toBe(401);
    });

    it('rate-limits failed sign-ins per email', async () => {
      const victim = { email: 'chloe@cabine.test', password: 'wrong-password' };
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) statuses.push((await m.request('POST', '/api/v1/auth/sign-in', { body: victim })).status);
      expect(statuses.slice(-2)).toEqual([429, 429]);
      const limited = await m.request('POST', '/api/v1/auth/sign-in', { body: { email: victim.email, password: 'cabine-1003' } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      clock.advance(16 * 60 * 1000);
      expect((await m.request('POST', '/api/v1/auth/sign-in', { body: { email: victim.email, password: 'cabine-1003' } })).status).toBe(200);
    });

    it('hands out auth_ephemeral SIP credentials Kamailio can verify', async () => {
      const response = await m.request('GET', '/api/v1/sip-config', { token: employeeToken });
      const config = sipConfigResponseSchema.parse(response.body);
      expect(config).toMatchObject({ domain: 'cabine.test', extension: '1002', wsUrl: 'ws://127.0.0.1:15080' });
      const [expiry, user] = config.authorizationUsername.split(':');
      // The company's SIP domain is inside the signed username (manager/src/auth/sip-credentials.ts).
      expect(user).toBe('1002@cabine.test');
      expect(Number(expiry) * 1000).toBe(Date.parse(config.expiresAt));
      expect(Number(expiry)).toBeGreaterThan(clock.now() / 1000);
      expect(config.password).toBe(createHmac('sha1', testSipSecret).update(config.authorizationUsername).digest('base64'));
    });

    it('issues hand-off codes for allow-listed pages only, in a URL fragment (redeemed by the page: handoff.test.ts)', async () => {
      const created = await m.request('POST', '/api/v1/handoff', { token: adminToken, body: { next: '/prepaid/add-funds' } });
      expect(created.status).toBe(201);
      expect(created.body.url).toBe(`/handoff#code=${created.body.code}`);
      expect((await m.request('POST', '/api/v1/handoff', { token: adminToken, body: { next: 'https://evil.example/' } })).status).toBe(400);
    });
  });

  describe('top-ups', () => {
    it('adds funds from the card on file and replays the same key', async () => {
      const before = await balance();
      const key = newKey();
      const first = await topUp(1000, key);
      expect(first.status).toBe(201);
      const body = topUpResponseSchema.parse(first.body);
      expect(body.topUp).toMatchObject({ status: 'succeeded', amountMinor: 1000, cardLast4: '4242' });
      expect(body.balanceMinor).toBe(before + 1000);
      const replay = await topUp(1000, key);
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(first.body);
      expect(await balance()).toBe(before + 1000);
      const receipt = await m.request('GET', `/api/v1/wallet/topups/${body.topUp.id}`, { token: employeeToken });
      expect(receipt.body.receiptNumber).toBe(body.topUp.receiptNumber);
    });

    it('refuses the same key with a different body', async () => {
      const key = newKey();
      expect((await topUp(1000, key)).status).toBe(201);
      const reused = await topUp(2500, key);
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe('idempotency_key_reused');
    });

    it('applies concurrent duplicates once', async () => {
      const before = await balance();
      const key = newKey();
      const responses = await Promise.all(Array.from({ length: 20 }, () => topUp(2500, key)));
      const ok = responses.filter((response) => response.status === 201);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(new Set(ok.map((response) => response.body.topUp.id)).size).toBe(1);
      for (const response of responses) expect([201, 409]).toContain(response.status);
      expect(await balance()).toBe(before + 2500);
    });

    it('validates amounts, currency, key and body', async () => {
      const before = await balance();
      for (const bad of [-1000, 0, 10.5, 1e20, '1000', null, Number.MAX_SAFE_INTEGER + 2]) {
        const response = await topUp(bad);
        expect(response.status, JSON.stringify(bad)).toBe(400);
        expect(response.body.error.code).toBe('validation_failed');
      }
      const offList = await topUp(1234);
      expect(offList.status).toBe(422);
      expect(offList.body.error.code).toBe('amount_not_allowed');
      expect((await topUp(Number.MAX_SAFE_INTEGER)).status).toBe(422);
      expect((await topUp(1000, newKey(), adminToken, 'USD')).status).toBe(422);
      expect((await topUp(1000, newKey(), adminToken, 'XXX')).status).toBe(400);
      expect((await topUp(1000, null)).status).toBe(400);
      expect((await topUp(1000, 'short')).status).toBe(400);
      const unknownField = await m.request('POST', '/api/v1/wallet/topups', { token: adminToken, body: { amountMinor: 1000, currency: 'EUR', bonus: 5 }, headers: { 'idempotency-key': newKey() } });
      expect(unknownField.status).toBe(400);
      const huge = await m.request('POST', '/api/v1/wallet/topups', { token: adminToken, rawBody: JSON.stringify({ amountMinor: 1000, currency: 'EUR', pad: 'x'.repeat(40_000) }), headers: { 'content-type': 'application/json', 'idempotency-key': newKey() } });
      expect(huge.status).toBe(413);
      expect(huge.body.error.code).toBe('payload_too_large');
      const malformed = await m.request('POST', '/api/v1/wallet/topups', { token: adminToken, rawBody: '{"amountMinor": 10', headers: { 'content-type': 'application/json', 'idempotency-key': newKey() } });
      expect(malformed.status).toBe(400);
      const textBody = await m.request('POST', '/api/v1/wallet/topups', { token: adminToken, rawBody: 'amountMinor=1000', headers: { 'content-type': 'text/plain', 'idempotency-key': newKey() } });
      expect(textBody.status).toBe(415);
      const proto = await m.request('POST', '/api/v1/wallet/topups', { token: adminToken, rawBody: '{"amountMinor":1000,"currency":"EUR","__proto__":{"x":1}}', headers: { 'content-type': 'application/json', 'idempotency-key': newKey() } });
      expect(proto.status).toBe(400);
      expect(await balance()).toBe(before);
    });

    it('keeps top-ups and settings for admins, enforced on the server', async () => {
      const response = await topUp(1000, newKey(), employeeToken);
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
      expect((await m.request('PUT', '/api/v1/wallet/auto-refill', { token: employeeToken, body: { enabled: true, thresholdMinor: 500, amountMinor: 2500 } })).status).toBe(403);
      expect((await m.request('PUT', '/api/v1/wallet/card', { token: employeeToken, body: { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' } })).status).toBe(403);
      expect((await m.request('GET', '/api/v1/wallet', { token: employeeToken })).status).toBe(200);
    });

    it('records declines from the documented test cards and replays them', async () => {
      const cards: Array<[string, string]> = [['4000000000000002', 'card_declined'], ['4000000000009995', 'insufficient_funds'], ['4000002760003184', 'authentication_required']];
      const before = await balance();
      for (const [number, code] of cards) {
        expect((await m.request('PUT', '/api/v1/wallet/card', { token: adminToken, body: { number, expMonth: 12, expYear: 2099, cvc: '123' } })).status).toBe(200);
        const key = newKey();
        const declined = await topUp(1000, key);
        expect(declined.status).toBe(402);
        expect(declined.body.topUp).toMatchObject({ status: 'declined', declineCode: code, receiptNumber: null });
        expect((await topUp(1000, key)).body).toEqual(declined.body);
      }
      expect(await balance()).toBe(before);
      expect((await m.request('PUT', '/api/v1/wallet/card', { token: adminToken, body: { number: '4242424242424241', expMonth: 12, expYear: 2099, cvc: '123' } })).status).toBe(422);
      expect((await m.request('PUT', '/api/v1/wallet/card', { token: adminToken, body: { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' } })).status).toBe(200);
    });

    it("never shows another company's ids", async () => {
      await addCompany(m.repository, `cmp_other_${backendName}`, `other-${backendName}.test`, `boss-${backendName}@other.test`, 'other-password');
      const otherToken = await m.signIn(`boss-${backendName}@other.test`, 'other-password');
      const mine = await topUp(1000);
      const theirView = await m.request('GET', `/api/v1/wallet/topups/${mine.body.topUp.id}`, { token: otherToken });
      expect(theirView.status).toBe(404);
      expect((await m.request('PUT', '/api/v1/users/usr_demo_1002/barring', { token: otherToken, body: { premiumBarred: false } })).status).toBe(404);
      expect((await m.request('GET', '/api/v1/wallet', { token: otherToken })).body.balanceMinor).toBe(0);
      expect((await m.request('GET', `/api/v1/wallet/topups/${'x'.repeat(80)}`, { token: adminToken })).status).toBe(400);
    });
  });

  describe('calls', () => {
    it('authorizes, charges once, and keeps the prefix and deck version', async () => {
      const before = await balance();
      const auth = authorizeCallResponseSchema.parse((await authorize('call-us-1', '+1 212 555 0100')).body);
      expect(auth).toMatchObject({ allowed: true, reason: 'ok', charged: true, kind: 'international', prefix: '1' });
      expect(auth.maxDurationSeconds).toBeGreaterThan(60);
      expect(auth.deckVersion).toMatch(/^sample-2025\.1\+/);
      expect((await authorize('call-us-1', '+1 212 555 0100')).body).toEqual(auth);
      const done = completeCallResponseSchema.parse((await complete('call-us-1', 125)).body);
      // 0.0220 EUR/min, 30/6: 125 s → 126 s → 0.0462 → 0.05 EUR.
      expect(done).toMatchObject({ status: 'completed', chargedMinor: 5, billedSeconds: 126, balanceMinor: before - 5 });
      expect((await complete('call-us-1', 999)).body).toEqual(done);
      expect((await m.proxy('/api/v1/calls/release', { callId: 'call-us-1' })).body.status).toBe('completed');
      expect(await balance()).toBe(before - 5);
      // 1001 (Alice) placed it: the admin sees its number; another employee sees the charge without it.
      const activity = activityResponseSchema.parse((await m.request('GET', '/api/v1/activity?limit=5', { token: adminToken })).body);
      const charge = activity.items.find((item) => item.reference === 'call-us-1');
      const seenByBruno = activityResponseSchema.parse((await m.request('GET', '/api/v1/activity?limit=5', { token: employeeToken })).body);
      expect(seenByBruno.items.find((item) => item.reference === 'call-us-1')?.call?.number).toBeUndefined();
      expect(charge?.call).toMatchObject({ prefix: '1', number: '+12125550100', answeredSeconds: 125, billedSeconds: 126, extension: '1001' });
      expect(charge?.call?.deckVersion).toBe(auth.deckVersion);
    });

    it('releases calls that never connected, free of charge', async () => {
      const before = await balance();
      expect((await authorize('call-release', '+44 7400 900123')).body.allowed).toBe(true);
      expect((await m.request('GET', '/api/v1/wallet', { token: adminToken })).body.reservedMinor).toBeGreaterThan(0);
      expect((await m.proxy('/api/v1/calls/release', { callId: 'call-release' })).body).toMatchObject({ status: 'released', chargedMinor: 0 });
      expect((await complete('call-release', 30)).body).toMatchObject({ status: 'released', chargedMinor: 0 });
      expect(await balance()).toBe(before);
      expect((await m.request('GET', '/api/v1/wallet', { token: adminToken })).body.reservedMinor).toBe(0);
    });

    it('lets emergency calls through always, free, and refuses invalid numbers', async () => {
      for (const dialed of ['112', '15', '17', '18', '116117']) {
        const response = await authorize(`em-${dialed}`, dialed, '9999');
        expect(response.body).toMatchObject({ allowed: true, kind: 'emergency', charged: false, reservedMinor: 0 });
      }
      expect((await authorize('inv-1', '+999 123')).body).toMatchObject({ allowed: false, reason: 'invalid' });
      expect((await authorize('inv-2', 'DROP TABLE')).body).toMatchObject({ allowed: false, reason: 'invalid' });
      expect((await authorize('unknown-1', '+12125550100', '1999')).body).toMatchObject({ allowed: false, reason: 'unknown_caller' });
      expect((await authorize('incl-1', '01 42 68 53 00')).body).toMatchObject({ allowed: true, kind: 'included', charged: false });
      expect((await m.request('POST', '/api/v1/calls/authorize', { body: { callId: 'x', callerExtension: '1001', dialed: '112' } })).status).toBe(401);
      expect((await m.proxy('/api/v1/calls/authorize', { callId: 'has space', callerExtension: '1001', dialed: '112' })).status).toBe(400);
      expect((await complete('never-authorized', 10)).status).toBe(404);
      expect((await complete('call-us-1', -5)).status).toBe(400);
    });

    it('bars employees from premium numbers when their admin says so', async () => {
      expect((await authorize('prem-1', '0899 123 456', '1002')).body).toMatchObject({ allowed: false, reason: 'barred', kind: 'premium' });
      const users = (await m.request('GET', '/api/v1/users', { token: adminToken })).body.users as Array<{ id: string; extension: string }>;
      const brunoId = users.find((user) => user.extension === '1002')?.id;
      expect((await m.request('PUT', `/api/v1/users/${brunoId}/barring`, { token: adminToken, body: { premiumBarred: false } })).status).toBe(200);
      expect((await authorize('prem-2', '0899 123 456', '1002')).body).toMatchObject({ allowed: true, kind: 'premium', charged: true });
      await m.proxy('/api/v1/calls/release', { callId: 'prem-2' });
      expect((await m.request('GET', '/api/v1/users', { token: employeeToken })).status).toBe(403);
    });

    it('blocks high-risk destinations by default, for every caller, until an admin allows them', async () => {
      // A fresh company: blocked is the default of the migration, not something a test set.
      const fresh = await startManager(await backend.freshEnv(), { now: clock.now });
      try {
        const token = await fresh.signIn(alice.email, alice.password);
        const brunoToken = await fresh.signIn(bruno.email, bruno.password);
        expect(highRiskSettingSchema.parse((await fresh.request('GET', '/api/v1/company/high-risk', { token: brunoToken })).body)).toEqual({ allowed: false });
        const satellites = ['+881 6 1234 5678', '+870 7 7312 3456', '+882 1 6123 4567', '00881612345678'];
        for (const [index, dialed] of satellites.entries()) {
          for (const caller of ['1001', '1002']) {
            const refused = authorizeCallResponseSchema.parse((await fresh.proxy('/api/v1/calls/authorize', { callId: `hr-${index}-${caller}`, callerExtension: caller, dialed })).body);
            // The company's rule comes before the employee's barring (bruno is barred from paid services too).
            expect(refused, dialed).toMatchObject({ allowed: false, reason: 'class_blocked', kind: 'high-cost', reservedMinor: 0, maxDurationSeconds: 0 });
          }
        }
        // Emergency numbers are untouched, and ordinary international calls still go.
        expect((await fresh.proxy('/api/v1/calls/authorize', { callId: 'hr-112', callerExtension: '1001', dialed: '112' })).body).toMatchObject({ allowed: true, kind: 'emergency' });
        expect((await fresh.proxy('/api/v1/calls/authorize', { callId: 'hr-us', callerExtension: '1001', dialed: '+12125550100' })).body).toMatchObject({ allowed: true, reason: 'ok' });
        await fresh.proxy('/api/v1/calls/release', { callId: 'hr-us' });
        // The quote says so before any call is placed.
        const quote = quoteResponseSchema.parse((await fresh.request('GET', '/api/v1/quote?number=%2B881612345678', { token })).body);
        expect(quote.warnings).toEqual(expect.arrayContaining(['high_cost', 'class_blocked']));
        // Nothing was reserved or charged for the refused calls.
        expect((await fresh.request('GET', '/api/v1/wallet', { token })).body).toMatchObject({ balanceMinor: 2500, reservedMinor: 0 });

        // Employees cannot change it; bad bodies are refused and change nothing.
        const forbidden = await setHighRisk(true, brunoToken, fresh);
        expect(forbidden.status).toBe(403);
        expect(forbidden.body.error.code).toBe('forbidden');
        for (const bad of ['true', 1, null, undefined]) {
          const response = await setHighRisk(bad, token, fresh);
          expect(response.status, JSON.stringify(bad)).toBe(400);
          expect(response.body.error.code).toBe('validation_failed');
        }
        expect((await fresh.request('PUT', '/api/v1/company/high-risk', { token, body: { allowed: true, everything: true } })).status).toBe(400);
        expect((await fresh.request('PUT', '/api/v1/company/high-risk', { token, rawBody: 'allowed=true', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
        expect((await fresh.request('PUT', '/api/v1/company/high-risk', { body: { allowed: true } })).status).toBe(401);
        expect((await fresh.request('GET', '/api/v1/company/high-risk', { token })).body).toEqual({ allowed: false });
        expect((await fresh.proxy('/api/v1/calls/authorize', { callId: 'hr-still', callerExtension: '1001', dialed: '+881612345678' })).body.reason).toBe('class_blocked');

        // The admin allows them: the call is rated and reserved like any paid call; barring still applies.
        const allowed = await setHighRisk(true, token, fresh);
        expect(allowed.status).toBe(200);
        expect(highRiskSettingSchema.parse(allowed.body)).toEqual({ allowed: true });
        expect((await fresh.request('GET', '/api/v1/company/high-risk', { token: brunoToken })).body).toEqual({ allowed: true });
        const ok = authorizeCallResponseSchema.parse((await fresh.proxy('/api/v1/calls/authorize', { callId: 'hr-ok', callerExtension: '1001', dialed: '+881612345678' })).body);
        expect(ok).toMatchObject({ allowed: true, reason: 'ok', kind: 'high-cost', charged: true, prefix: '881' });
        expect(ok.reservedMinor).toBeGreaterThan(0);
        await fresh.proxy('/api/v1/calls/release', { callId: 'hr-ok' });
        expect((await fresh.proxy('/api/v1/calls/authorize', { callId: 'hr-barred', callerExtension: '1002', dialed: '+881612345678' })).body.reason).toBe('barred');
        expect(quoteResponseSchema.parse((await fresh.request('GET', '/api/v1/quote?number=%2B881612345678', { token })).body).warnings).not.toContain('class_blocked');

        // And blocks them again.
        expect((await setHighRisk(false, token, fresh)).body).toEqual({ allowed: false });
        expect((await fresh.proxy('/api/v1/calls/authorize', { callId: 'hr-again', callerExtension: '1001', dialed: '+881612345678' })).body.reason).toBe('class_blocked');
        expect((await fresh.repository.store.checkIntegrity()).problems).toEqual([]);
      } finally {
        await fresh.close();
      }
    });

    it('keeps each company’s high-risk switch to itself', async () => {
      await addCompany(m.repository, `cmp_hr_${backendName}`, `hr-${backendName}.test`, `hr-boss-${backendName}@other.test`, 'other-password');
      const otherToken = await m.signIn(`hr-boss-${backendName}@other.test`, 'other-password');
      expect((await setHighRisk(true, otherToken)).status).toBe(200);
      expect((await m.request('GET', '/api/v1/company/high-risk', { token: adminToken })).body).toEqual({ allowed: false });
      expect((await authorize('hr-other', '+881612345678')).body.reason).toBe('class_blocked');
    });

    it('reserves for calls in progress and refuses what the wallet cannot fund', async () => {
      expect((await setHighRisk(true)).status).toBe(200);
      // The wallet's limit, not the daily cap's (the default cap is below this wallet's balance by now).
      expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: null } })).status).toBe(200);
      const wallet = (await m.request('GET', '/api/v1/wallet', { token: adminToken })).body;
      // Satellite at 7.90 EUR/min: the first call reserves most of the wallet, the rest is refused.
      const first = (await authorize('sat-1', '+881 6 1234 5678')).body;
      expect(first.allowed).toBe(true);
      expect(first.reservedMinor).toBeLessThanOrEqual(wallet.availableMinor);
      const calls = [first];
      for (let i = 2; i < 40; i += 1) {
        const next = (await authorize(`sat-${i}`, '+881 6 1234 5678')).body;
        calls.push(next);
        if (!next.allowed) break;
      }
      const refused = calls.at(-1);
      expect(refused).toMatchObject({ allowed: false, reason: 'insufficient_funds' });
      const reserved = calls.filter((call) => call.allowed).reduce((sum: number, call: { reservedMinor: number }) => sum + call.reservedMinor, 0);
      expect(reserved).toBeLessThanOrEqual(wallet.availableMinor);
      for (const call of calls.filter((entry) => entry.allowed)) await m.proxy('/api/v1/calls/release', { callId: call.callId });
    });

    it('enforces the daily cap', async () => {
      expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: 0 } })).status).toBe(400);
      expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: 1.5 } })).status).toBe(400);
      expect((await setHighRisk(true)).status).toBe(200);
      const spent = (await m.request('GET', '/api/v1/wallet', { token: adminToken })).body.spentTodayMinor as number;
      expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: spent + 1 } })).status).toBe(200);
      expect((await authorize('cap-1', '+33 6 12 34 56 78')).body.allowed).toBe(true);
      await m.proxy('/api/v1/calls/release', { callId: 'cap-1' });
      expect((await authorize('cap-2', '+881 6 1234 5678')).body).toMatchObject({ allowed: false, reason: 'daily_cap' });
      const quote = quoteResponseSchema.parse((await m.request('GET', '/api/v1/quote?number=%2B88161234567', { token: adminToken })).body);
      expect(quote.warnings).toContain('daily_cap');
      expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: null } })).status).toBe(200);
    });
  });

  describe('quotes and rates', () => {
    it('quotes paid, included and invalid numbers', async () => {
      const premium = quoteResponseSchema.parse((await m.request('GET', `/api/v1/quote?number=${encodeURIComponent('0899 123 456')}`, { token: employeeToken })).body);
      expect(premium).toMatchObject({ kind: 'premium', billing: 'wallet' });
      expect(premium.warnings).toContain('paid_service');
      expect(premium.rate?.prefix).toBe('3389');
      expect(premium.minutesAffordable).toBeGreaterThan(0);
      const included = (await m.request('GET', '/api/v1/quote?number=0612345678', { token: employeeToken })).body;
      expect(included).toMatchObject({ kind: 'included', billing: 'free', rate: null, minutesAffordable: null });
      const invalid = (await m.request('GET', '/api/v1/quote?number=abc', { token: employeeToken })).body;
      expect(invalid.warnings).toContain('invalid_number');
      expect((await m.request('GET', '/api/v1/quote', { token: employeeToken })).status).toBe(400);
      expect((await m.request('GET', `/api/v1/quote?number=${'1'.repeat(70)}`, { token: employeeToken })).status).toBe(400);
    });

    it('lists every rate of a country', async () => {
      const rates = ratesResponseSchema.parse((await m.request('GET', '/api/v1/rates?country=DE', { token: employeeToken })).body);
      expect(rates.sample).toBe(true);
      expect(rates.rates.map((rate) => rate.prefix)).toEqual(expect.arrayContaining(['49', '4915', '49900']));
      expect((await m.request('GET', '/api/v1/rates?country=de', { token: employeeToken })).status).toBe(400);
      expect((await m.request('GET', '/api/v1/rates?country=ZZ', { token: employeeToken })).status).toBe(404);
      const countries = (await m.request('GET', '/api/v1/rates/countries', { token: employeeToken })).body.countries;
      expect(countries.length).toBeGreaterThan(200);
    });
  });

  describe('automatic refill', () => {
    it('refills when the funds available go below the level, then stops after four declines', async () => {
      const fresh = await startManager(await backend.freshEnv(), { now: clock.now });
      try {
        const token = await fresh.signIn(alice.email, alice.password);
        expect((await setHighRisk(true, token, fresh)).status).toBe(200);
        // About refills, not the daily cap: without it (the default 50.00 would stop the calls first).
        expect((await fresh.request('PUT', '/api/v1/company/daily-cap', { token, body: { dailyCapMinor: null } })).status).toBe(200);
        const view = async () => (await fresh.request('GET', '/api/v1/wallet', { token })).body;
        // Seeded balance 25.00; threshold 5.00; a satellite minute costs 7.90.
        const set = await fresh.request('PUT', '/api/v1/wallet/auto-refill', { token, body: { enabled: true, thresholdMinor: 500, amountMinor: 2500 } });
        expect(set.status).toBe(200);
        expect((await fresh.request('PUT', '/api/v1/wallet/auto-refill', { token, body: { enabled: true, thresholdMinor: 500, amountMinor: 999 } })).status).toBe(422);
        let call = 0;
        const satelliteMinute = async () => {
          call += 1;
          const callId = `refill-${call}`;
          expect((await fresh.proxy('/api/v1/calls/authorize', { callId, callerExtension: '1001', dialed: '+881612345678' })).body.allowed).toBe(true);
          await fresh.manager.context.wallet.settle();
          await fresh.proxy('/api/v1/calls/complete', { callId, answeredSeconds: 60 });
          await fresh.manager.context.wallet.settle();
        };
        // The call holds the whole 25.00 while it is live: the funds available are 0, so the refill runs during the call.
        await satelliteMinute(); // 25.00 + 25.00 - 7.90
        expect((await view()).balanceMinor).toBe(4210);
        await satelliteMinute(); // holds 42.10: refill → 67.10 - 7.90
        expect((await view()).balanceMinor).toBe(5920);
        const refills = await fresh.repository.store.listRefillAttempts('cmp_demo', 10);
        expect(refills.map((refill) => [refill.cause, refill.status])).toEqual([['reservation', 'succeeded'], ['reservation', 'succeeded']]);

        await fresh.request('PUT', '/api/v1/wallet/card', { token, body: { number: '4000000000000002', expMonth: 12, expYear: 2099, cvc: '123' } });
        // The level raised above the balance: the refill starts at once and declines; the retries wait 1 h,
        // 6 h, 24 h; after the fourth decline refill turns itself off.
        expect((await fresh.request('PUT', '/api/v1/wallet/auto-refill', { token, body: { enabled: true, thresholdMinor: 10000, amountMinor: 2500 } })).status).toBe(200);
        await fresh.manager.context.wallet.settle();
        expect((await view()).autoRefill.consecutiveDeclines).toBe(1);
        for (const delay of [1, 6, 24]) {
          clock.advance(delay * 3_600_000);
          expect(await fresh.manager.context.wallet.runDueRefills()).toBe(1);
        }
        const after = await view();
        expect(after.autoRefill).toMatchObject({ enabled: false, consecutiveDeclines: 4 });
        expect(after.autoRefill.disabledReason).toContain('4');
        const kinds = (await fresh.request('GET', '/api/v1/notifications', { token })).body.notifications.map((n: { kind: string }) => n.kind);
        expect(kinds.filter((kind: string) => kind === 'auto_refill_declined')).toHaveLength(4);
        expect(kinds).toContain('auto_refill_disabled');
        const integrity = await fresh.repository.store.checkIntegrity();
        expect(integrity.problems).toEqual([]);
      } finally {
        await fresh.close();
      }
    });

    it('limits refills per 24 hours', async () => {
      const fresh = await startManager({ ...(await backend.freshEnv()), CABINE_MAX_REFILLS_PER_DAY: '1' }, { now: clock.now });
      try {
        const token = await fresh.signIn(alice.email, alice.password);
        expect((await setHighRisk(true, token, fresh)).status).toBe(200);
        await fresh.request('PUT', '/api/v1/wallet/auto-refill', { token, body: { enabled: true, thresholdMinor: 2000, amountMinor: 1000 } });
        for (let i = 0; i < 4; i += 1) {
          await fresh.proxy('/api/v1/calls/authorize', { callId: `lim-${i}`, callerExtension: '1001', dialed: '+881612345678' });
          await fresh.proxy('/api/v1/calls/complete', { callId: `lim-${i}`, answeredSeconds: 60 });
          await fresh.manager.context.wallet.settle();
        }
        const statuses = (await fresh.repository.store.listRefills('cmp_demo')).map((refill) => refill.status);
        expect(statuses[0]).toBe('succeeded');
        expect(statuses.slice(1)).toContain('skipped_limit');
        expect(statuses.filter((status) => status !== 'skipped_limit')).toHaveLength(1);
        const kinds = (await fresh.request('GET', '/api/v1/notifications', { token })).body.notifications.map((n: { kind: string }) => n.kind);
        expect(kinds).toContain('auto_refill_limit_reached');
      } finally {
        await fresh.close();
      }
    });
  });

  describe('customer care', () => {
    it('cancels a top-up with a reversing entry, never an edit', async () => {
      const careToken = await m.signIn(care.email, care.password);
      const made = (await topUp(5000)).body;
      const before = await balance();
      expect((await m.request('POST', `/api/v1/care/topups/${made.topUp.id}/cancel`, { token: adminToken, body: { reason: 'too much' } })).status).toBe(403);
      expect((await m.request('POST', `/api/v1/care/topups/${made.topUp.id}/cancel`, { token: careToken, body: {} })).status).toBe(400);
      const cancelled = await m.request('POST', `/api/v1/care/topups/${made.topUp.id}/cancel`, { token: careToken, body: { reason: 'Customer added too much' } });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.topUp.status).toBe('cancelled');
      expect(await balance()).toBe(before - 5000);
      expect((await m.request('POST', `/api/v1/care/topups/${made.topUp.id}/cancel`, { token: careToken, body: { reason: 'again' } })).status).toBe(409);
      expect((await m.request('POST', '/api/v1/care/topups/top_doesnotexist/cancel', { token: careToken, body: { reason: 'nope' } })).status).toBe(404);
      const activity = (await m.request('GET', '/api/v1/activity?limit=3', { token: adminToken })).body.items;
      expect(activity[0]).toMatchObject({ kind: 'reversal', amountMinor: -5000, reference: made.topUp.id });
      expect(activity.some((item: { kind: string; reference: string }) => item.kind === 'topup' && item.reference === made.topUp.id)).toBe(true);
      const integrity = await m.request('GET', '/api/v1/care/integrity', { token: careToken });
      expect(integrity.body).toMatchObject({ ok: true, problems: [] });
    });

    it('refuses to cancel more than the wallet holds, writing nothing', async () => {
      const careToken = await m.signIn(care.email, care.password);
      const fresh = await startManager(await backend.freshEnv(), { now: clock.now });
      try {
        const token = await fresh.signIn(alice.email, alice.password);
        const freshCare = await fresh.signIn(care.email, care.password);
        expect((await setHighRisk(true, token, fresh)).status).toBe(200);
        const seeded = (await fresh.repository.store.listTopUps('cmp_demo', 10))[0];
        await fresh.proxy('/api/v1/calls/authorize', { callId: 'spend', callerExtension: '1001', dialed: '+881612345678' });
        await fresh.proxy('/api/v1/calls/complete', { callId: 'spend', answeredSeconds: 60 });
        const before = await fresh.repository.store.checkIntegrity();
        const refused = await fresh.request('POST', `/api/v1/care/topups/${seeded?.id}/cancel`, { token: freshCare, body: { reason: 'Customer asked' } });
        expect(refused.status).toBe(409);
        expect((await fresh.repository.store.getTopUp(seeded?.id ?? ''))?.status).toBe('succeeded');
        expect((await fresh.repository.store.checkIntegrity()).checkedTransactions).toBe(before.checkedTransactions);
        expect((await fresh.request('GET', '/api/v1/wallet', { token })).body.balanceMinor).toBe(2500 - 790);
      } finally {
        await fresh.close();
      }
      expect(careToken.length).toBeGreaterThan(20);
    });

    it('keeps the ledger append-only in the database itself', async () => {
      const attempt = m.repository.transaction(async (tx) => {
        await (tx as unknown as { db: { run(sql: string, params: unknown[]): Promise<number> } }).db.run('UPDATE ledger_entries SET amount_minor = amount_minor + 1', []);
      });
      await expect(attempt).rejects.toThrow(/append-only/);
      await expect(
        m.repository.transaction(async (tx) => {
          await (tx as unknown as { db: { run(sql: string, params: unknown[]): Promise<number> } }).db.run('DELETE FROM ledger_transactions', []);
        }),
      ).rejects.toThrow(/append-only/);
    });
  });

  describe('live events and the contract', () => {
    it('streams wallet changes over SSE, across instances sharing the database', async () => {
      const shared = await backend.freshEnv();
      const a = await startManager(shared);
      const b = await startManager({ ...backend.sameDatabase(shared), CABINE_SEED_DEMO: 'false' });
      try {
        const tokenA = await a.signIn(alice.email, alice.password);
        const tokenB = await b.signIn(alice.email, alice.password);
        const controller = new AbortController();
        const response = await fetch(`${b.baseUrl}/api/v1/wallet/events`, { headers: { authorization: `Bearer ${tokenB}` }, signal: controller.signal });
        expect(response.headers.get('content-type')).toContain('text/event-stream');
        const reader = response.body?.getReader();
        if (!reader) throw new Error('no stream');
        const decoder = new TextDecoder();
        let buffer = '';
        const nextEvent = async () => {
          for (;;) {
            const end = buffer.indexOf('\n\n');
            if (end >= 0) {
              const chunk = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = chunk.split('\n').find((line) => line.startsWith('data: '));
              if (data) return walletEventSchema.parse(JSON.parse(data.slice(6)));
              continue;
            }
            const { value, done } = await reader.read();
            if (done) throw new Error('stream ended');
            buffer += decoder.decode(value, { stream: true });
          }
        };
        const initial = await nextEvent();
        const made = await a.request('POST', '/api/v1/wallet/topups', { token: tokenA, body: { amountMinor: 1000, currency: 'EUR' }, headers: { 'idempotency-key': newKey() } });
        expect(made.status).toBe(201);
        let event = await nextEvent();
        while (event.balanceMinor === initial.balanceMinor) event = await nextEvent();
        expect(event.balanceMinor).toBe(initial.balanceMinor + 1000);
        controller.abort();
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('serves the OpenAPI document generated from the shared schemas', async () => {
      const doc = (await m.request('GET', '/api/v1/openapi.json')).body;
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/wallet/topups', '/api/v1/calls/authorize', '/api/v1/rates', '/api/v1/wallet/topups/{id}']));
      expect(doc.paths['/api/v1/wallet/topups'].post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
      expect((await m.request('GET', '/api/v1/nope')).body.error.code).toBe('not_found');
    });

    it('renders pages in French by Accept-Language, with labels', async () => {
      const fr = await m.request('GET', '/sign-in', { headers: { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' } });
      expect(fr.body).toContain('<html lang="fr"');
      expect(fr.body).toContain('Se connecter');
      expect(fr.body).toContain('<label for="email">');
      expect(fr.headers.get('content-security-policy')).toContain("default-src 'none'");
      const en = await m.request('GET', '/sign-in', { headers: { 'accept-language': 'en-GB' } });
      expect(en.body).toContain('Sign in');
      expect((await m.request('GET', '/prepaid')).status).toBe(303);
    });
  });
});
