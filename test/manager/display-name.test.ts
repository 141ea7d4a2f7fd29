import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sipConfigResponseSchema } from '../../shared/api/auth-schemas';
import { assertStorableDisplayName } from '../../manager/src/seed/demo-seed';
import { hashPassword } from '../../manager/src/auth/password-hashing';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { startBackend, startManager } from './support/manager-harness';

/**
 * The display name reaches the app's From header through /sip-config. A name that forges a caller or adds a
 * header is refused when a user is created, and cleaned when handed out, even if a row already holds one
 * (written before the rule, or by another tool).
 */
describe.each<BackendName>(['sqlite', 'postgres'])('display name in the SIP configuration on %s', (backendName) => {
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

  it('hands out the demo user\'s name', async () => {
    const config = sipConfigResponseSchema.parse((await m.request('GET', '/api/v1/sip-config', { token: await m.signIn('bruno@cabine.test', 'cabine-1002') })).body);
    expect(config.displayName).toBe('Bruno Petit');
  });

  // (No NUL in it: PostgreSQL TEXT cannot hold one; the unit properties cover NUL.)
  it('cleans a hostile stored name: one header line, the caller\'s own URI, at most 64 characters', async () => {
    const hostile = `Boss" <sip:+33899123456@cabine.test>\r\nX-Cabine-Proxy-Secret: x\u0007\u202E${'\\'.repeat(3)}${'z'.repeat(200)}`;
    await m.repository.store.insertUser({
      id: 'usr_hostile', companyId: 'cmp_demo', email: 'hostile@cabine.test', displayName: hostile, role: 'employee', extension: '1009',
      passwordHash: await hashPassword('hostile-password', 12), premiumBarred: true, createdAt: Date.now(),
    });
    const config = sipConfigResponseSchema.parse((await m.request('GET', '/api/v1/sip-config', { token: await m.signIn('hostile@cabine.test', 'hostile-password') })).body);
    const name = config.displayName ?? '';
    // eslint-disable-next-line no-control-regex -- the characters under test
    expect(name).not.toMatch(/["\\\r\n\u0007\u202E]/u);
    expect([...name].length).toBeLessThanOrEqual(64);
    expect(name.startsWith('Boss <sip:+33899123456@cabine.test> X-Cabine-Proxy-Secret: x')).toBe(true);
    const from = `From: "${name}" <sip:${config.extension}@${config.domain}>;tag=1`;
    expect(from.split(/\r\n|\r|\n/)).toHaveLength(1);
    expect(from).toMatch(/^From: "[^"\\]*" <sip:1009@cabine\.test>;tag=1$/);
  });

  it('falls back to the extension when nothing printable is left', async () => {
    await m.repository.store.insertUser({
      id: 'usr_blank', companyId: 'cmp_demo', email: 'blank@cabine.test', displayName: '"\r\n"', role: 'employee', extension: '1010',
      passwordHash: await hashPassword('blank-password', 12), premiumBarred: true, createdAt: Date.now(),
    });
    const config = sipConfigResponseSchema.parse((await m.request('GET', '/api/v1/sip-config', { token: await m.signIn('blank@cabine.test', 'blank-password') })).body);
    expect(config.displayName).toBe('1010');
  });
});

describe('display names on the way in', () => {
  it('refuses control characters and more than 64 characters, with the reason', () => {
    expect(() => assertStorableDisplayName('Alice Martin')).not.toThrow();
    expect(() => assertStorableDisplayName('O\'Brien "Bob"')).not.toThrow();
    expect(() => assertStorableDisplayName('Alice\r\nX: y')).toThrow(/control_characters/);
    expect(() => assertStorableDisplayName('x'.repeat(65))).toThrow(/too_long/);
    expect(() => assertStorableDisplayName(' ')).toThrow(/empty/);
  });
});
