/**
 * Who sees which numbers in the wallet activity (manager/src/routes/activity-visibility.ts): an employee
 * sees their own calls in full and every company line (top-ups, colleagues' charges, balances), but never
 * a number a colleague dialled, nor which extension placed it; an admin sees everything. The API and the
 * Activity page alike, with real tokens and cookies. A call's owner is its reservation's user, so an
 * extension handed to someone else does not hand over its former holder's numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCallResponseSchema } from '../../shared/api/call-schemas';
import { activityResponseSchema } from '../../shared/api/wallet-schemas';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { startBackend, startManager } from './support/manager-harness';

describe.each<BackendName>(['sqlite', 'postgres'])('activity visibility on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let admin: string;
  let bruno: string;
  let chloe: string;
  const aliceDialed = '+12125550123';
  const brunoDialed = '+447400900123';

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager(await backend.freshEnv());
    admin = await m.signIn('alice@cabine.test', 'cabine-1001');
    bruno = await m.signIn('bruno@cabine.test', 'cabine-1002');
    chloe = await m.signIn('chloe@cabine.test', 'cabine-1003');
    expect((await m.request('POST', '/api/v1/wallet/topups', { token: admin, body: { amountMinor: 2500, currency: 'EUR' }, headers: { 'idempotency-key': `visibility-${backendName}` } })).status).toBe(201);
    expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: admin, body: { dailyCapMinor: null } })).status).toBe(200);
    for (const [callId, extension, dialed] of [[`alice-${backendName}`, '1001', aliceDialed], [`bruno-${backendName}`, '1002', brunoDialed]] as const) {
      const authorized = authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId, callerExtension: extension, dialed })).body);
      expect(authorized).toMatchObject({ allowed: true, charged: true });
      expect((await m.proxy('/api/v1/calls/complete', { callId, answeredSeconds: 42 })).status).toBe(200);
    }
  });

  afterAll(async () => {
    await m.close();
    await backend.stop();
  });

  const activity = async (token: string) => {
    const response = await m.request('GET', '/api/v1/activity?limit=50', { token });
    expect(response.status).toBe(200);
    return activityResponseSchema.parse(response.body).items;
  };

  it('an admin sees every call in full', async () => {
    const calls = (await activity(admin)).filter((item) => item.kind === 'call_charge');
    expect(calls.map((item) => [item.call?.number, item.call?.extension]).sort()).toEqual([[brunoDialed, '1002'], [aliceDialed, '1001']].sort());
  });

  it("an employee sees their own call's number, and of a colleague's only the amount and the duration", async () => {
    const items = await activity(bruno);
    const adminItems = await activity(admin);
    // The same lines, amounts and balances: the wallet is the company's.
    expect(items.map((item) => [item.seq, item.kind, item.amountMinor, item.balanceAfterMinor])).toEqual(adminItems.map((item) => [item.seq, item.kind, item.amountMinor, item.balanceAfterMinor]));
    const calls = items.filter((item) => item.kind === 'call_charge');
    expect(calls.find((item) => item.call?.number === brunoDialed)?.call).toMatchObject({ extension: '1002', answeredSeconds: 42 });
    const colleague = calls.find((item) => item.call?.number !== brunoDialed);
    expect(colleague?.call).toMatchObject({ number: '', prefix: '', destination: '', extension: '', answeredSeconds: 42 });
    expect(colleague?.reference).toBe('');
    expect(items.some((item) => item.kind === 'topup')).toBe(true);
    // Nowhere in the answer: not in another field, not as digits without the "+".
    const raw = JSON.stringify((await m.request('GET', '/api/v1/activity?limit=50', { token: bruno })).body);
    expect(raw).not.toContain(aliceDialed.slice(1));
    expect(raw).not.toContain(`alice-${backendName}`);
    // Chloe placed neither call: she sees no number at all.
    const chloeRaw = JSON.stringify((await m.request('GET', '/api/v1/activity?limit=50', { token: chloe })).body);
    expect(chloeRaw).not.toContain(aliceDialed.slice(1));
    expect(chloeRaw).not.toContain(brunoDialed.slice(1));
  });

  it('the Activity page hides the same for an employee and shows it to an admin', async () => {
    /** Signs in through the web form (login CSRF double submit) and opens the Activity page in English. */
    const pageFor = async (email: string, password: string): Promise<string> => {
      const form = await m.request('GET', '/sign-in');
      const loginCookie = /cabine_login_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')?.[1] ?? '';
      const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(String(form.body))?.[1] ?? '';
      const answer = await m.request('POST', '/sign-in', {
        headers: { cookie: `cabine_login_csrf=${loginCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
        rawBody: new URLSearchParams({ _csrf: loginCsrf, email, password, next: '/prepaid/activity' }).toString(),
      });
      expect(answer.status).toBe(303);
      const cookie = `cabine_session=${/cabine_session=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '')?.[1] ?? ''}; cabine_lang=en`;
      const page = await m.request('GET', '/prepaid/activity', { headers: { cookie } });
      expect(page.status).toBe(200);
      return String(page.body);
    };
    const employeePage = await pageFor('bruno@cabine.test', 'cabine-1002');
    expect(employeePage).toContain(brunoDialed);
    expect(employeePage).not.toContain(aliceDialed);
    expect(employeePage).toMatch(/A colleague(&#39;|&#x27;|')s call/);
    const adminPage = await pageFor('alice@cabine.test', 'cabine-1001');
    expect(adminPage).toContain(brunoDialed);
    expect(adminPage).toContain(aliceDialed);
  });

  it("an extension given to someone else does not show its former holder's numbers", async () => {
    // Bruno's extension moves to 2042; Chloe takes 1002: Bruno's old call stays Bruno's, not Chloe's.
    const moved = await m.request('PUT', '/api/v1/people/usr_demo_1002', { token: admin, body: { extension: '2042' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect((await m.request('PUT', '/api/v1/people/usr_demo_1003', { token: admin, body: { extension: '1002' } })).status).toBe(200);
    chloe = await m.signIn('chloe@cabine.test', 'cabine-1003');
    expect(JSON.stringify((await m.request('GET', '/api/v1/activity?limit=50', { token: chloe })).body)).not.toContain(brunoDialed.slice(1));
    bruno = await m.signIn('bruno@cabine.test', 'cabine-1002');
    expect((await activity(bruno)).some((item) => item.call?.number === brunoDialed)).toBe(true);
  });
});
