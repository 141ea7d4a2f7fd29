/**
 * The SIP proxy's "is this a company's SIP domain?" (POST /api/v1/proxy/sip-domain), over real HTTP on
 * SQLite and PostgreSQL: one Kamailio serves every company's domain and asks the manager which those are
 * (kamailio.cfg route[SERVED_DOMAIN]). A company onboarded a moment ago is served; nobody's domain is not;
 * only the proxy (shared secret) may ask, and the body is validated. The credentials the manager hands out
 * sign the company's domain into the username.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sipConfigResponseSchema } from '../../shared/api/auth-schemas';
import { proxySipDomainResponseSchema } from '../../shared/api/sip-domain-endpoints';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager, testSipSecret } from './support/manager-harness';

describe.each<BackendName>(['sqlite', 'postgres'])('SIP domains on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager(await backend.freshEnv());
  });

  afterAll(async () => {
    await m?.close();
    await backend?.stop();
  });

  const served = async (sipDomain: string) => proxySipDomainResponseSchema.parse((await m.proxy('/api/v1/proxy/sip-domain', { sipDomain })).body).served;

  it("answers served for the companies' domains only, a company onboarded a moment ago included", async () => {
    expect(await served('cabine.test')).toBe(true);
    expect(await served('CABINE.test')).toBe(true);
    expect(await served('b.test')).toBe(false);
    await addCompany(m.repository, 'cmp_b', 'b.test', 'boss@b.test', 'b-password-123');
    expect(await served('b.test')).toBe(true);
    expect(await served('nobody.test')).toBe(false);
  });

  it('only the proxy may ask, with a valid body', async () => {
    expect((await m.request('POST', '/api/v1/proxy/sip-domain', { body: { sipDomain: 'cabine.test' } })).status).toBe(401);
    expect((await m.request('POST', '/api/v1/proxy/sip-domain', { body: { sipDomain: 'cabine.test' }, headers: { 'x-cabine-proxy-secret': 'wrong-secret-0123456789' } })).status).toBe(401);
    for (const body of [{}, { sipDomain: '' }, { sipDomain: 'x'.repeat(254) }, { sipDomain: 'cabine.test', extra: 1 }]) {
      expect((await m.proxy('/api/v1/proxy/sip-domain', body)).status, JSON.stringify(body)).toBe(400);
    }
  });

  it("signs each company's domain into its SIP credentials: another company's 1001 has other credentials", async () => {
    // Both admins are extension 1001 of their company.
    const theirs = sipConfigResponseSchema.parse((await m.request('GET', '/api/v1/sip-config', { token: await m.signIn('boss@b.test', 'b-password-123') })).body);
    const ours = sipConfigResponseSchema.parse((await m.request('GET', '/api/v1/sip-config', { token: await m.signIn('alice@cabine.test', 'cabine-1001') })).body);
    expect([theirs.extension, ours.extension]).toEqual(['1001', '1001']);
    expect(theirs.domain).toBe('b.test');
    expect(theirs.authorizationUsername).toMatch(/^\d+:1001@b\.test$/);
    expect(ours.authorizationUsername).toMatch(/^\d+:1001@cabine\.test$/);
    for (const config of [theirs, ours]) {
      expect(config.password).toBe(createHmac('sha1', testSipSecret).update(config.authorizationUsername).digest('base64'));
    }
    // The same expiry and extension in two domains: two different passwords.
    expect(theirs.password).not.toBe(ours.password);
  });
});
