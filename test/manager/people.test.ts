/**
 * Onboarding, people, passwords and the audit trail (docs/manager.md, "Onboarding and people"): customer care
 * creates a company, its admin sets a password from the welcome link (read from the dev outbox, as a person
 * would), adds people with extensions from the company's range, changes, deactivates, reactivates and removes
 * them. Attacks: an employee acting as admin, another company's admin using ids, a replayed link, guessing
 * the current password, the last admin removing the seat, editing the audit trail. Real HTTP, SQLite and
 * PostgreSQL.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addPersonResponseSchema, auditListResponseSchema, onboardCompanyResponseSchema, personListResponseSchema, personViewSchema, sipRevocationListSchema,
} from '../../shared/api/people-schemas';
import { extensionProblem } from '../../shared/numbering/extension-range';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { startBackend, startManager, TestClock, testProxySecret } from './support/manager-harness';

interface OutboxMessage { readonly to: string; readonly subject: string; readonly text: string }

describe.each<BackendName>(['sqlite', 'postgres'])('people on %s', (backendName) => {
  let backend: Backend;
  let env: Record<string, string>;
  const clock = new TestClock();
  let m: RunningManager;
  let careToken: string;
  let aliceToken: string;
  let companyId: string;
  let adminToken: string;
  let adminId: string;
  let employeeId: string;
  let employeeToken: string;
  const domain = `acme-${backendName}.example`;
  const adminEmail = `boss-${backendName}@acme.example`;
  const employeeEmail = `dana-${backendName}@acme.example`;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    env = await backend.freshEnv();
    m = await startManager(env, { now: clock.now });
    careToken = await m.signIn('care@cabine.test', 'cabine-care');
    aliceToken = await m.signIn('alice@cabine.test', 'cabine-1001');
  });

  afterAll(async () => {
    await m.close();
    await backend.stop();
  });

  const outbox = async (): Promise<OutboxMessage[]> => ((await m.request('GET', '/dev/outbox.json')).body as { messages: OutboxMessage[] }).messages;
  /** The token of the newest link mailed to `to`. */
  const linkTokenFor = async (to: string): Promise<string> => {
    const message = (await outbox()).find((entry) => entry.to === to);
    const token = /\/set-password\?token=([A-Za-z0-9_-]+)/.exec(message?.text ?? '')?.[1];
    if (!token) throw new Error(`no link mailed to ${to}`);
    return token;
  };
  const auditActions = async (token: string, query = ''): Promise<string[]> =>
    auditListResponseSchema.parse((await m.request('GET', `/api/v1/audit${query}`, { token })).body).events.map((event) => event.action);

  it('the demo seed went through onboarding: its company and people are in the audit trail', async () => {
    const events = auditListResponseSchema.parse((await m.request('GET', '/api/v1/audit?companyId=cmp_demo', { token: careToken })).body).events;
    expect(events.filter((event) => event.actor === 'demo seed').map((event) => event.action).sort()).toEqual(['company.created', 'person.added', 'person.added', 'person.added']);
  });

  it('customer care onboards a company; the first admin sets a password from the welcome link, once', async () => {
    const body = { name: 'Acme Plomberie', country: 'FR', currency: 'EUR', sipDomain: domain, admin: { displayName: 'Boss Acme', email: adminEmail } };
    // Only customer care may: an admin of another company gets 403, nothing created.
    expect((await m.request('POST', '/api/v1/care/companies', { token: aliceToken, body })).status).toBe(403);
    const created = await m.request('POST', '/api/v1/care/companies', { token: careToken, body });
    expect(created.status).toBe(201);
    const onboarded = onboardCompanyResponseSchema.parse(created.body);
    companyId = onboarded.companyId;
    adminId = onboarded.admin.id;
    expect(onboarded.admin).toMatchObject({ role: 'admin', status: 'invited', premiumBarred: false });
    expect(extensionProblem(onboarded.admin.extension ?? '', 'FR')).toBeNull();
    // The same domain or admin email again: 409, and no second company.
    expect((await m.request('POST', '/api/v1/care/companies', { token: careToken, body: { ...body, admin: { ...body.admin, email: 'x@acme.example' } } })).status).toBe(409);
    expect((await m.request('POST', '/api/v1/care/companies', { token: careToken, body: { ...body, sipDomain: `other-${domain}` } })).status).toBe(409);
    // Bad bodies: a short number as the admin's extension (FR 1015 is the 10YT operator block), a bad domain.
    expect((await m.request('POST', '/api/v1/care/companies', { token: careToken, body: { ...body, sipDomain: `b-${domain}`, admin: { ...body.admin, email: 'y@acme.example', extension: '1015' } } })).status).toBe(400);
    expect((await m.request('POST', '/api/v1/care/companies', { token: careToken, body: { ...body, sipDomain: 'Not A Domain' } })).status).toBe(400);

    // No password yet: signing in is refused like a wrong password.
    expect((await m.request('POST', '/api/v1/auth/sign-in', { body: { email: adminEmail, password: 'anything-at-all' } })).status).toBe(401);
    const token = await linkTokenFor(adminEmail);
    expect((await m.request('POST', '/api/v1/auth/set-password', { body: { token, password: 'short' } })).status).toBe(400);
    expect((await m.request('POST', '/api/v1/auth/set-password', { body: { token, password: 'acme-boss-password' } })).status).toBe(204);
    // The link works once.
    expect((await m.request('POST', '/api/v1/auth/set-password', { body: { token, password: 'attacker-password' } })).status).toBe(400);
    adminToken = await m.signIn(adminEmail, 'acme-boss-password');
  });

  it('the admin adds an employee with the next free extension of the range; taken or short-number extensions are refused', async () => {
    const added = await m.request('POST', '/api/v1/people', { token: adminToken, body: { displayName: 'Dana Acme', email: employeeEmail, monthlyBudgetMinor: 2000 } });
    expect(added.status).toBe(201);
    const { person } = addPersonResponseSchema.parse(added.body);
    employeeId = person.id;
    expect(person).toMatchObject({ role: 'employee', status: 'invited', premiumBarred: true, monthlyBudgetMinor: 2000 });
    const people = personListResponseSchema.parse((await m.request('GET', '/api/v1/people', { token: adminToken })).body).people;
    const admin = people.find((entry) => entry.id === adminId);
    expect(Number(person.extension)).toBeGreaterThan(Number(admin?.extension));
    expect(extensionProblem(person.extension ?? '', 'FR')).toBeNull();
    expect((await m.request('POST', '/api/v1/people', { token: adminToken, body: { displayName: 'Taken', email: `t-${employeeEmail}`, extension: person.extension } })).status).toBe(409);
    expect((await m.request('POST', '/api/v1/people', { token: adminToken, body: { displayName: 'Short', email: `s-${employeeEmail}`, extension: '1015' } })).status).toBe(400);
    expect((await m.request('POST', '/api/v1/people', { token: adminToken, body: { displayName: 'Dup', email: employeeEmail } })).status).toBe(409);
    expect((await m.request('POST', '/api/v1/people', { token: adminToken, body: { displayName: 'Nobody', email: 'n@acme.example', role: 'operator' } })).status).toBe(400);
    await m.request('POST', '/api/v1/auth/set-password', { body: { token: await linkTokenFor(employeeEmail), password: 'dana-first-password' } });
    employeeToken = await m.signIn(employeeEmail, 'dana-first-password');
  });

  it('roles are enforced by the server and ids of another company are 404', async () => {
    // The employee acts as admin: 403, nothing changed.
    expect((await m.request('POST', '/api/v1/people', { token: employeeToken, body: { displayName: 'Sneaky', email: 'sneaky@acme.example' } })).status).toBe(403);
    expect((await m.request('PUT', `/api/v1/people/${employeeId}`, { token: employeeToken, body: { role: 'admin' } })).status).toBe(403);
    expect((await m.request('POST', `/api/v1/people/${adminId}/deactivate`, { token: employeeToken })).status).toBe(403);
    expect((await m.request('GET', '/api/v1/audit', { token: employeeToken })).status).toBe(403);
    // Alice (the demo company's admin) uses Acme's ids: 404 for every action, and she never sees them.
    for (const [method, path] of [['PUT', `/api/v1/people/${employeeId}`], ['POST', `/api/v1/people/${employeeId}/deactivate`], ['POST', `/api/v1/people/${employeeId}/reactivate`], ['POST', `/api/v1/people/${employeeId}/remove`], ['POST', `/api/v1/people/${employeeId}/password-reset`]] as const) {
      expect((await m.request(method, path, { token: aliceToken, ...(method === 'PUT' ? { body: { premiumBarred: false } } : {}) })).status).toBe(404);
    }
    expect((await m.request('GET', `/api/v1/audit?companyId=${companyId}`, { token: aliceToken })).status).toBe(404);
    expect(personListResponseSchema.parse((await m.request('GET', '/api/v1/people', { token: aliceToken })).body).people.map((p) => p.id)).not.toContain(employeeId);
    const dana = personListResponseSchema.parse((await m.request('GET', '/api/v1/people', { token: adminToken })).body).people.find((p) => p.id === employeeId);
    expect(dana?.role).toBe('employee');
  });

  it('races: concurrent adds never share an extension; two admins deactivating each other leave one admin', async () => {
    const adds = await Promise.all(Array.from({ length: 8 }, (_unused, i) =>
      m.request('POST', '/api/v1/people', { token: adminToken, body: { displayName: `Racer ${i}`, email: `racer-${i}-${backendName}@acme.example` } })));
    expect(adds.map((answer) => answer.status)).toEqual(Array.from({ length: 8 }, () => 201));
    const extensions = adds.map((answer) => addPersonResponseSchema.parse(answer.body).person.extension);
    expect(new Set(extensions).size).toBe(8);
    for (const extension of extensions) expect(extensionProblem(extension ?? '', 'FR')).toBeNull();
    // A second admin; then each deactivates the other at the same moment: exactly one wins.
    const second = addPersonResponseSchema.parse((await m.request('POST', '/api/v1/people', { token: adminToken, body: { displayName: 'Second Admin', email: `second-${backendName}@acme.example`, role: 'admin' } })).body).person;
    await m.request('POST', '/api/v1/auth/set-password', { body: { token: await linkTokenFor(second.email), password: 'second-admin-password' } });
    const secondToken = await m.signIn(second.email, 'second-admin-password');
    const [one, two] = await Promise.all([
      m.request('POST', `/api/v1/people/${second.id}/deactivate`, { token: adminToken }),
      m.request('POST', `/api/v1/people/${adminId}/deactivate`, { token: secondToken }),
    ]);
    const statuses = [one.status, two.status];
    // Whoever is deactivated first loses their session, so the other request is refused one way or another.
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    const admins = personListResponseSchema.parse((await m.request('GET', '/api/v1/people', { token: one.status === 200 ? adminToken : secondToken })).body).people
      .filter((person) => person.role === 'admin' && person.status === 'active');
    expect(admins).toHaveLength(1);
    // Put things back for the next tests: the original admin active, the second one removed.
    if (two.status === 200) {
      expect((await m.request('POST', `/api/v1/people/${adminId}/reactivate`, { token: secondToken })).status).toBe(200);
      adminToken = await m.signIn(adminEmail, 'acme-boss-password');
    }
    expect((await m.request('POST', `/api/v1/people/${second.id}/remove`, { token: adminToken })).status).toBe(204);
    for (const answer of adds) expect((await m.request('POST', `/api/v1/people/${addPersonResponseSchema.parse(answer.body).person.id}/remove`, { token: adminToken })).status).toBe(204);
  });

  it('the admin changes role, extension and barring; the last admin cannot leave the seat', async () => {
    const changed = await m.request('PUT', `/api/v1/people/${employeeId}`, { token: adminToken, body: { extension: '2042', premiumBarred: false } });
    expect(changed.status).toBe(200);
    expect(personViewSchema.parse(changed.body)).toMatchObject({ extension: '2042', premiumBarred: false });
    // The old extension's credentials are refused at the proxy until they would have expired.
    const list = sipRevocationListSchema.parse((await m.request('GET', '/api/v1/proxy/sip-revocations', { headers: { 'x-cabine-proxy-secret': testProxySecret } })).body);
    expect(list.revocations.some((entry) => entry.key.endsWith(`@${domain}`) && entry.refuseExpiryUpto > Date.now() / 1000)).toBe(true);
    expect((await m.request('GET', '/api/v1/proxy/sip-revocations')).status).toBe(401);
    // Own role, own deactivation, own removal: refused.
    expect((await m.request('PUT', `/api/v1/people/${adminId}`, { token: adminToken, body: { role: 'employee' } })).status).toBe(409);
    expect((await m.request('POST', `/api/v1/people/${adminId}/deactivate`, { token: adminToken })).status).toBe(409);
    expect((await m.request('POST', `/api/v1/people/${adminId}/remove`, { token: adminToken })).status).toBe(409);
    expect((await m.request('PUT', `/api/v1/people/${employeeId}`, { token: adminToken, body: { extension: '1015' } })).status).toBe(400);
    expect((await m.request('PUT', `/api/v1/people/${employeeId}`, { token: adminToken, body: {} })).status).toBe(400);
  });

  it('deactivation ends the sessions at once and revokes every SIP credential; reactivation lets new ones work', async () => {
    expect((await m.request('GET', '/api/v1/me', { token: employeeToken })).status).toBe(200);
    // The app's live wallet stream, open while the admin deactivates: the server ends it.
    const stream = await fetch(`${m.baseUrl}/api/v1/wallet/events`, { headers: { authorization: `Bearer ${employeeToken}` } });
    expect(stream.status).toBe(200);
    const reader = stream.body?.getReader();
    if (!reader) throw new Error('no stream');
    const streamEnded = (async () => {
      for (let reads = 0; reads < 1000; reads += 1) if ((await reader.read()).done) return Date.now();
      throw new Error('the stream never ended');
    })();
    const deactivatedAt = Date.now();
    const deactivated = await m.request('POST', `/api/v1/people/${employeeId}/deactivate`, { token: adminToken });
    expect(personViewSchema.parse(deactivated.body).status).toBe('deactivated');
    expect((await m.request('GET', '/api/v1/me', { token: employeeToken })).status).toBe(401);
    expect((await m.request('GET', '/api/v1/sip-config', { token: employeeToken })).status).toBe(401);
    const streamMs = (await Promise.race([streamEnded, new Promise<number>((_resolve, reject) => setTimeout(() => reject(new Error('the wallet stream outlived the deactivation by 5 s')), 5_000))])) - deactivatedAt;
    expect(streamMs).toBeLessThan(5_000);
    expect((await m.request('POST', '/api/v1/auth/sign-in', { body: { email: employeeEmail, password: 'dana-first-password' } })).status).toBe(401);
    const revocations = sipRevocationListSchema.parse((await m.request('GET', '/api/v1/proxy/sip-revocations', { headers: { 'x-cabine-proxy-secret': testProxySecret } })).body);
    expect(revocations.revocations).toContainEqual({ key: `2042@${domain}`, refuseExpiryUpto: 2 ** 31 - 1 });
    // A reset link for a deactivated person is refused.
    expect((await m.request('POST', `/api/v1/people/${employeeId}/password-reset`, { token: adminToken })).status).toBe(409);

    // SIP credential expiries are whole seconds: a reactivation is seconds after the deactivation.
    clock.advance(2000);
    expect(personViewSchema.parse((await m.request('POST', `/api/v1/people/${employeeId}/reactivate`, { token: adminToken })).body).status).toBe('active');
    const after = sipRevocationListSchema.parse((await m.request('GET', '/api/v1/proxy/sip-revocations', { headers: { 'x-cabine-proxy-secret': testProxySecret } })).body);
    const entry = after.revocations.find((row) => row.key === `2042@${domain}`);
    // Credentials issued before the deactivation stay dead; new ones (expiry now + 12 h) are past the line.
    expect(entry?.refuseExpiryUpto).toBeLessThan(Math.floor(clock.now() / 1000) + 43_200);
    expect(entry?.refuseExpiryUpto).toBeGreaterThan(Math.floor(clock.now() / 1000));
    employeeToken = await m.signIn(employeeEmail, 'dana-first-password');
    const sip = (await m.request('GET', '/api/v1/sip-config', { token: employeeToken })).body as { authorizationUsername: string };
    expect(Number(sip.authorizationUsername.split(':')[0])).toBeGreaterThan(entry?.refuseExpiryUpto ?? Infinity);
  });

  it('each person changes their own password: the current one is checked and guessing is limited; their other sessions end', async () => {
    const other = await m.signIn(employeeEmail, 'dana-first-password');
    expect((await m.request('POST', '/api/v1/me/password', { token: employeeToken, body: { currentPassword: 'wrong', newPassword: 'dana-second-password' } })).status).toBe(403);
    expect((await m.request('POST', '/api/v1/me/password', { token: employeeToken, body: { currentPassword: 'dana-first-password', newPassword: 'dana-second-password' } })).status).toBe(204);
    expect((await m.request('GET', '/api/v1/me', { token: employeeToken })).status).toBe(200);
    expect((await m.request('GET', '/api/v1/me', { token: other })).status).toBe(401);
    expect((await m.request('POST', '/api/v1/auth/sign-in', { body: { email: employeeEmail, password: 'dana-first-password' } })).status).toBe(401);
    // A stolen session guessing the current password: stopped at the sign-in limit (5 per 15 min).
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await m.request('POST', '/api/v1/me/password', { token: employeeToken, body: { currentPassword: `guess-${i}`, newPassword: 'attacker-password-1' } })).status);
    expect(statuses.slice(-1)).toEqual([429]);
    expect(statuses.filter((status) => status === 204)).toEqual([]);
    // The window passes (15 min).
    clock.advance(16 * 60 * 1000);
  });

  it('the admin mails a reset link: it sets a new password once and ends every session', async () => {
    expect((await m.request('POST', `/api/v1/people/${employeeId}/password-reset`, { token: adminToken })).status).toBe(200);
    const token = await linkTokenFor(employeeEmail);
    expect((await m.request('POST', '/api/v1/auth/set-password', { body: { token, password: 'dana-reset-password' } })).status).toBe(204);
    expect((await m.request('POST', '/api/v1/auth/set-password', { body: { token, password: 'dana-reset-password-2' } })).status).toBe(400);
    expect((await m.request('GET', '/api/v1/me', { token: employeeToken })).status).toBe(401);
    employeeToken = await m.signIn(employeeEmail, 'dana-reset-password');
  });

  it('removal frees the email and the extension; the removed person is gone from the list and cannot sign in', async () => {
    expect((await m.request('POST', `/api/v1/people/${employeeId}/remove`, { token: adminToken })).status).toBe(204);
    expect((await m.request('GET', '/api/v1/me', { token: employeeToken })).status).toBe(401);
    expect((await m.request('POST', `/api/v1/people/${employeeId}/reactivate`, { token: adminToken })).status).toBe(404);
    const again = await m.request('POST', '/api/v1/people', { token: adminToken, body: { displayName: 'Dana Again', email: employeeEmail, extension: '2042' } });
    expect(again.status).toBe(201);
    const people = personListResponseSchema.parse((await m.request('GET', '/api/v1/people', { token: adminToken })).body).people;
    expect(people.map((p) => p.id)).not.toContain(employeeId);
  });

  it('the audit trail: admins read their company, customer care every company; wallet and settings writes are in it; it cannot be edited', async () => {
    // Writes owned by other modules, audited at the HTTP boundary once they succeed.
    expect((await m.request('PUT', '/api/v1/wallet/auto-refill', { token: aliceToken, body: { enabled: false, thresholdMinor: 500, amountMinor: 2500 } })).status).toBe(200);
    expect((await m.request('PUT', '/api/v1/users/usr_demo_1002/barring', { token: aliceToken, body: { premiumBarred: true } })).status).toBe(200);
    const topUp = await m.request('POST', '/api/v1/wallet/topups', { token: aliceToken, body: { amountMinor: 1000, currency: 'EUR' }, headers: { 'idempotency-key': `people-audit-${backendName}` } });
    expect(topUp.status).toBe(201);
    const topUpId = (topUp.body as { topUp: { id: string } }).topUp.id;
    expect((await m.request('POST', `/api/v1/care/topups/${topUpId}/cancel`, { token: careToken, body: { reason: 'customer asked' } })).status).toBe(200);
    // A refused write leaves no entry: an employee's top-up attempt.
    const bruno = await m.signIn('bruno@cabine.test', 'cabine-1002');
    expect((await m.request('POST', '/api/v1/wallet/topups', { token: bruno, body: { amountMinor: 1000, currency: 'EUR' }, headers: { 'idempotency-key': `people-audit-x-${backendName}` } })).status).toBe(403);

    const demo = auditListResponseSchema.parse((await m.request('GET', '/api/v1/audit', { token: aliceToken })).body).events;
    expect(demo.every((event) => event.companyId === 'cmp_demo')).toBe(true);
    expect(demo.map((event) => event.action)).toEqual(expect.arrayContaining(['refill.changed', 'barring.changed', 'funds.added', 'topup.cancelled']));
    expect(demo.filter((event) => event.action === 'funds.added' && event.actor === 'bruno@cabine.test')).toEqual([]);
    expect(demo.find((event) => event.action === 'topup.cancelled')).toMatchObject({ actor: 'care@cabine.test', target: topUpId, details: { reason: 'customer asked' } });
    const acme = await auditActions(adminToken);
    expect(acme).toEqual(expect.arrayContaining(['company.created', 'person.added', 'person.updated', 'person.deactivated', 'person.reactivated', 'person.removed', 'password.set', 'password.changed', 'password.link_sent']));
    expect(acme).not.toContain('funds.added');
    const all = await auditActions(careToken, '?limit=200');
    expect(all).toEqual(expect.arrayContaining(['company.created', 'person.removed', 'topup.cancelled']));
    // Append-only in the database itself, whoever connects.
    const statements = ['UPDATE audit_events SET actor_label = \'someone else\'', 'DELETE FROM audit_events'];
    for (const sql of statements) {
      if (backendName === 'sqlite') {
        const db = new Database(join(env.CABINE_MANAGER_DATA_DIR ?? '', 'cabine-manager.db'));
        try {
          expect(() => db.prepare(sql).run()).toThrow(/append-only/);
        } finally {
          db.close();
        }
      } else {
        const client = new pg.Client({ connectionString: env.DATABASE_URL });
        await client.connect();
        try {
          await expect(client.query(sql)).rejects.toThrow(/append-only/);
        } finally {
          await client.end();
        }
      }
    }
    expect((await auditActions(careToken, '?limit=200')).length).toBe(all.length);
  });
});
