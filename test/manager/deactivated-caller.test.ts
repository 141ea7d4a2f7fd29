/**
 * A deactivated person cannot spend the company's money, whatever the proxy knows yet: the manager's
 * authorize treats them as no caller (nothing reserved), and a call of theirs already in progress is never
 * extended, not even after new funds arrive. The proxy's revocation (docs/sip-server.md) is the first line;
 * this is the second. Real HTTP, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCallResponseSchema, extendCallResponseSchema } from '../../shared/api/call-schemas';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { startBackend, startManager } from './support/manager-harness';

describe.each<BackendName>(['sqlite', 'postgres'])('a deactivated caller on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let adminToken: string;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager(await backend.freshEnv());
    adminToken = await m.signIn('alice@cabine.test', 'cabine-1001');
  });

  afterAll(async () => {
    await m.close();
    await backend.stop();
  });

  const authorize = async (callId: string, extension: string, dialed = '+12125550100') =>
    authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId, callerExtension: extension, dialed })).body);
  const reservedNow = async (): Promise<number> => (await m.repository.store.sumActiveReservations('cmp_demo', Date.now()));

  it('is refused as no caller with nothing reserved, and a live call of theirs is never extended', async () => {
    // Bruno's paid call starts while he is active.
    const live = await authorize('deact-live~1', '1002');
    expect(live.allowed).toBe(true);
    const before = await reservedNow();
    expect((await m.request('POST', '/api/v1/people/usr_demo_1002/deactivate', { token: adminToken })).status).toBe(200);

    const refused = await authorize('deact-new~1', '1002');
    expect(refused).toMatchObject({ allowed: false, reason: 'unknown_caller', reservedMinor: 0 });
    expect(await reservedNow()).toBe(before);

    // New money arrives; the live call of the deactivated caller still does not grow.
    await m.manager.context.wallet.topUp({ companyId: 'cmp_demo', userId: 'usr_demo_1001', amountMinor: 10000, currency: 'EUR', idempotencyKey: `deact-${backendName}` });
    const extended = extendCallResponseSchema.parse((await m.proxy('/api/v1/calls/extend', { callId: 'deact-live~1' })).body);
    expect(extended).toMatchObject({ extended: false, maxDurationSeconds: live.maxDurationSeconds });

    // Control: an active colleague's call is authorized and reserves.
    expect((await authorize('deact-colleague~1', '1003')).allowed).toBe(true);
    expect(await reservedNow()).toBeGreaterThan(before);
  });
});
